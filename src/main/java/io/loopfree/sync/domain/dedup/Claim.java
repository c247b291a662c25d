package io.loopfree.sync.domain.dedup;

import java.time.Instant;

/** Our hold on an event while it is in progress; only the holder of the token may finish or release it. */
public record Claim(String token, Instant leaseExpiresAt) {
}
