package io.loopfree.sync.domain.dedup;

import java.time.Instant;

/**
 * What the events table remembers of one event id (until its TTL):
 * <ul>
 * <li>{@code IN_PROGRESS}: applied, the hand-off to fan-out is under way; held by {@code claimToken} until
 * {@code leaseExpiresAt}. A holder that fails releases it; one that crashes lets the lease run out, and the next
 * delivery takes over.</li>
 * <li>{@code DONE}: fully processed ({@code outcome} says how); every later delivery is a duplicate.</li>
 * </ul>
 * An entry whose TTL has passed counts as absent even before DynamoDB deletes it.
 */
public record DedupEntry(Status status, Instant firstSeenAt, Instant leaseExpiresAt, String claimToken, String outcome) {

    public enum Status {
        IN_PROGRESS,
        DONE
    }

    /** True when this entry stops a new delivery from being processed now: done, or held under a live lease. */
    public boolean blocks(Instant now) {
        return status == Status.DONE || (leaseExpiresAt != null && leaseExpiresAt.isAfter(now));
    }
}
