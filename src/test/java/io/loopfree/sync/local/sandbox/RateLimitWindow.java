package io.loopfree.sync.local.sandbox;

import java.time.Duration;
import java.time.Instant;

/**
 * A fixed-window quota, the kind most providers advertise: at most {@code limit} requests per window; the window
 * starts with the first request after the previous one ended. Not thread-safe: the caller serializes.
 */
final class RateLimitWindow {

    /** What one request got: allowed or not, and the numbers the rate-limit headers report. */
    record Decision(boolean allowed, int limit, int used, int remaining, Duration resetIn, Duration window) {

        /** Whole seconds until the window resets, rounded up (a client waiting that long is never early). */
        long resetSeconds() {
            long millis = Math.max(0, resetIn.toMillis());
            return (millis + 999) / 1000;
        }
    }

    private final int limit;
    private final Duration window;
    private Instant windowStart;
    private int used;

    /** @param limit requests per window; 0 = unlimited */
    RateLimitWindow(int limit, Duration window) {
        if (limit < 0) {
            throw new IllegalArgumentException("rate limit must not be negative");
        }
        if (limit > 0 && (window == null || window.isZero() || window.isNegative())) {
            throw new IllegalArgumentException("a rate limit needs a positive window");
        }
        this.limit = limit;
        this.window = window == null ? Duration.ZERO : window;
    }

    boolean unlimited() {
        return limit == 0;
    }

    /** Counts the request when it is within the quota; a refused request is not counted. */
    Decision acquire(Instant now) {
        if (unlimited()) {
            return new Decision(true, 0, 0, 0, Duration.ZERO, Duration.ZERO);
        }
        if (windowStart == null || !now.isBefore(windowStart.plus(window))) {
            windowStart = now;
            used = 0;
        }
        Duration resetIn = Duration.between(now, windowStart.plus(window));
        if (used >= limit) {
            return new Decision(false, limit, used, 0, resetIn, window);
        }
        used++;
        return new Decision(true, limit, used, limit - used, resetIn, window);
    }

    /** The current numbers without counting a request (for responses that must not consume quota). */
    Decision peek(Instant now) {
        if (unlimited()) {
            return new Decision(true, 0, 0, 0, Duration.ZERO, Duration.ZERO);
        }
        if (windowStart == null || !now.isBefore(windowStart.plus(window))) {
            return new Decision(true, limit, 0, limit, window, window);
        }
        return new Decision(used < limit, limit, used, limit - used, Duration.between(now, windowStart.plus(window)),
                window);
    }

    void reset() {
        windowStart = null;
        used = 0;
    }
}
