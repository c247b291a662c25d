package io.loopfree.sync.domain.webhook;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How far a signed timestamp may be from our clock, in both directions: older is a possible replay, too far ahead
 * is a sender clock we must not trust (it would extend the replay window).
 */
public record ReplayWindow(Duration tolerance) {

    public ReplayWindow {
        if (tolerance == null || tolerance.isNegative()) {
            throw new IllegalArgumentException("tolerance must not be negative");
        }
    }

    /** @return the reason to reject, or empty when the timestamp is inside the window */
    public Optional<String> check(Instant signedAt, Instant now) {
        long skewMillis = now.toEpochMilli() - signedAt.toEpochMilli();
        if (skewMillis > tolerance.toMillis()) {
            return Optional.of("stale timestamp: older than the " + tolerance.toSeconds() + " s tolerance");
        }
        if (-skewMillis > tolerance.toMillis()) {
            return Optional.of("future timestamp: ahead by more than the " + tolerance.toSeconds() + " s tolerance");
        }
        return Optional.empty();
    }
}
