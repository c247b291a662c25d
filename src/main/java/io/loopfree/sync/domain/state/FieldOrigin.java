package io.loopfree.sync.domain.state;

import java.time.Instant;

/**
 * Where a canonical field's value came from: the system, when the edit happened there (its occurred-at) and when
 * we applied it (our sync timestamp, the tie-breaker of last-write-wins).
 */
public record FieldOrigin(String system, Instant occurredAt, Instant syncedAt) {

    /** Does an edit from {@code system} at {@code occurredAt}, synced now, beat this value under last-write-wins? */
    public boolean loses(Instant occurredAt) {
        return !occurredAt.isBefore(this.occurredAt);
    }
}
