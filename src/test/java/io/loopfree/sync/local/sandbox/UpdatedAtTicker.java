package io.loopfree.sync.local.sandbox;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Every write must move a record's updated_at strictly forward, even when two writes fall in the same
 * millisecond (or second, when the provider keeps whole seconds): otherwise "changed since" listings and
 * stale-change checks downstream could not tell the writes apart.
 */
final class UpdatedAtTicker {

    private UpdatedAtTicker() {
    }

    /**
     * @param previous the record's current updated_at, null for a new record
     * @param unit {@link ChronoUnit#MILLIS} or {@link ChronoUnit#SECONDS}: the precision the provider keeps
     */
    static Instant next(Instant now, Instant previous, ChronoUnit unit) {
        Instant truncated = now.truncatedTo(unit);
        if (previous == null || truncated.isAfter(previous)) {
            return truncated;
        }
        return previous.truncatedTo(unit).plus(1, unit);
    }
}
