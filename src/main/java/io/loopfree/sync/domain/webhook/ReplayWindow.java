package io.loopfree.sync.domain.webhook;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How far a signed timestamp may be from our clock, in both directions: older is a possible replay, too far ahead
 * is a sender clock we must not trust (it would extend the replay window). The one place where schemes read a
 * signed epoch timestamp and compare it: no arithmetic on the sender's number, so no value can overflow into the
 * other direction.
 */
public record ReplayWindow(Duration tolerance) {

    public ReplayWindow {
        if (tolerance == null || tolerance.isNegative()) {
            throw new IllegalArgumentException("tolerance must not be negative");
        }
    }

    /**
     * A signed timestamp as the sender wrote it: a whole number of seconds or milliseconds since the epoch. Any
     * {@code long} is accepted; values beyond what an {@link Instant} holds are clamped to its range (they are
     * then simply stale or in the future).
     *
     * @return empty when the text is not a whole number
     */
    public static Optional<Instant> parseEpoch(String text, SignatureSpec.TimestampUnit unit) {
        long value;
        try {
            value = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (unit == SignatureSpec.TimestampUnit.milliseconds) {
            return Optional.of(Instant.ofEpochMilli(value)); // every long is a valid epoch milli
        }
        if (value < Instant.MIN.getEpochSecond()) {
            return Optional.of(Instant.MIN);
        }
        if (value > Instant.MAX.getEpochSecond()) {
            return Optional.of(Instant.MAX);
        }
        return Optional.of(Instant.ofEpochSecond(value));
    }

    /** @return the reason to reject, or empty when the timestamp is inside the window */
    public Optional<String> check(Instant signedAt, Instant now) {
        if (signedAt.isBefore(now.minus(tolerance))) {
            return Optional.of("stale timestamp: older than the " + tolerance.toSeconds() + " s tolerance");
        }
        if (signedAt.isAfter(now.plus(tolerance))) {
            return Optional.of("future timestamp: ahead by more than the " + tolerance.toSeconds() + " s tolerance");
        }
        return Optional.empty();
    }
}
