package io.loopfree.sync.domain.dedup;

import java.time.Instant;

/** The answer of one conditional claim: this delivery is the first live one, or a duplicate of an earlier one. */
public sealed interface DedupResult {

    record FirstSeen(Instant expiresAt) implements DedupResult {
    }

    record Duplicate(Instant firstSeenAt) implements DedupResult {
    }
}
