package io.loopfree.sync.domain.state;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.loopfree.sync.domain.change.FieldSet;

/**
 * What we last know of one record in one system, with the origin tags of the change that told us.
 *
 * @param fields         last known tracked fields, normalized
 * @param fieldHash      {@code fields.hash()}, kept so that readers (and markers) need not recompute it
 * @param occurredAt     when the applied change happened in that system (staleness is judged against it)
 * @param direction      {@code inbound} (the system told us) or {@code outbound} (we wrote it there)
 * @param correlationId  ties this state to the change that caused it and to the writes it causes
 * @param syncedAt       when we recorded it
 * @param fetchRequired  the last change was skinny: the fields above may be behind and must be fetched
 * @param fieldTimes     per field, the occurred-at of the change that last set it: partial changes (one property
 *                       per webhook, delivered out of order) are judged stale field by field against it. A complete
 *                       record dates every tracked field (an absent one as empty); a partial change only its own
 */
public record SystemState(
        String recordId,
        String account,
        FieldSet fields,
        String fieldHash,
        Instant occurredAt,
        String actorKind,
        String actorId,
        String changeAgent,
        String eventId,
        String correlationId,
        String direction,
        Instant syncedAt,
        boolean deleted,
        boolean fetchRequired,
        Map<String, Instant> fieldTimes) {

    public static final String INBOUND = "inbound";
    public static final String OUTBOUND = "outbound";

    public SystemState {
        fieldTimes = fieldTimes == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(fieldTimes));
    }

    /**
     * When {@code field} was last set here; none when no change ever told it (a partial-change system that never
     * reported it): such a field cannot be stale, whatever the record's time.
     */
    public Optional<Instant> fieldTime(String field) {
        return Optional.ofNullable(fieldTimes.get(field));
    }
}
