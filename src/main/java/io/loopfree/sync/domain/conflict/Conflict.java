package io.loopfree.sync.domain.conflict;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

import io.loopfree.sync.domain.change.Actor;
import io.loopfree.sync.domain.change.FieldType;
import io.loopfree.sync.domain.state.RecordKey;

/**
 * A person's value of one unified field that lost to another value: kept, with both values, so that no discarded
 * human value goes unexplained; an operator sees it ({@code loopfree-ops conflicts list|show}) and may settle it
 * with a chosen value ({@code conflicts resolve}). Stored as one item per losing value
 * ({@code pk=CONFLICT#<tenant>}, {@code sk=<resource>#<canonicalKey>#<field>#<loser's occurred-at>#<loser's system>}),
 * so that the same losing value is one item whichever order its two edits arrived in.
 *
 * @param rule       what decided: {@link #LAST_WRITE_WINS} (the newer edit by the providers' clocks), {@link #OWNERSHIP}
 *                   (another system owns the field or record), {@link #OVERWRITTEN} (a newer edit, dropped because
 *                   our write of the older one landed there after it)
 * @param window     the connection's conflict window it was judged under
 * @param decidedBy  the event whose apply or drop recorded it ({@code system:eventId})
 */
public record Conflict(RecordKey record, String field, Side loser, Side winner, String rule, Duration window,
        Instant detectedAt, String decidedBy) {

    public static final String LAST_WRITE_WINS = "last-write-wins";
    public static final String OWNERSHIP = "ownership";
    public static final String OVERWRITTEN = "overwritten";

    /** The item's life: kept ({@code open}), a chosen value on its way ({@code resolving}), written ({@code resolved}). */
    public enum Status {
        open,
        resolving,
        resolved
    }

    /**
     * One of the two values: where it was set, what it was (unified, normalized; null is empty), when it was set
     * there by the provider's clock (null: not known, e.g. an owner's value never edited), and by whom.
     */
    public record Side(String system, Object value, Instant occurredAt, Actor.Kind actor) {
        public Side {
            Objects.requireNonNull(system, "system");
            actor = actor == null ? Actor.Kind.unknown : actor;
        }
    }

    public Conflict {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(loser, "loser");
        Objects.requireNonNull(loser.occurredAt(), "loser.occurredAt");
        Objects.requireNonNull(winner, "winner");
        Objects.requireNonNull(rule, "rule");
    }

    /** {@code CONFLICT#acme}: a tenant's conflicts, listed by one Query. */
    public static String partitionKey(String tenant) {
        return "CONFLICT#" + tenant;
    }

    /** {@code contact#app:c_42#}: the prefix of one record's conflicts. */
    public static String recordPrefix(String resource, String canonicalKey) {
        return resource + "#" + canonicalKey + "#";
    }

    /** {@code contact#app:c_42#email#}: the prefix of one field's conflicts. */
    public static String fieldPrefix(String resource, String canonicalKey, String field) {
        return recordPrefix(resource, canonicalKey) + field + "#";
    }

    public String partitionKey() {
        return partitionKey(record.tenant());
    }

    /** {@code contact#app:c_42#email#2026-12-07T02:10:00.120Z#sandbox-rich}: one losing value. */
    public String sortKey() {
        return fieldPrefix(record.resource(), record.canonicalKey(), field) + FieldType.formatInstant(loser.occurredAt())
                + "#" + loser.system();
    }
}
