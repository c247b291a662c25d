package io.loopfree.sync.domain.ratelimit;

import java.time.Instant;
import java.util.Optional;

/**
 * What one response says about the account's quota: the policy's name, its limit and what remains of it (either
 * {@link #UNKNOWN} when the headers do not say), and when the window resets (empty when they do not say).
 */
public record RateLimitUsage(String policy, long limit, long remaining, Optional<Instant> resetAt) {

    public static final long UNKNOWN = -1;

    public RateLimitUsage {
        policy = policy == null || policy.isBlank() ? "default" : policy;
        resetAt = resetAt == null ? Optional.empty() : resetAt;
    }

    /** The share of the quota used, 0..1; empty when the limit or the remainder is not known. */
    public Optional<Double> usedFraction() {
        if (limit <= 0 || remaining < 0) {
            return remaining == 0 ? Optional.of(1.0) : Optional.empty();
        }
        return Optional.of(Math.min(1.0, Math.max(0.0, (double) (limit - remaining) / limit)));
    }

    /** {@code default 12/100 until 2026-11-20T10:01:00Z}: bounded, for logs and the breaker item. */
    public String describe() {
        return policy + " " + (limit < 0 || remaining < 0 ? "?" : Long.toString(limit - remaining)) + "/"
                + (limit < 0 ? "?" : Long.toString(limit)) + resetAt.map(at -> " until " + at).orElse("");
    }
}
