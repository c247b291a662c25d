package io.loopfree.sync.domain.state;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.loopfree.sync.domain.change.Change;
import io.loopfree.sync.domain.change.FieldSet;

/**
 * The layers that compare a change with the state we hold for its record in its system: stale (older than what
 * we applied: providers reorder), no net change (same normalized fields), else the next state to apply.
 * <p>
 * Staleness is judged <b>field by field</b>: each field keeps the occurred-at of the change that last set it, so a
 * property change delivered after a newer change of another property (HubSpot sends one webhook per property and
 * says they may arrive out of order) still lands; only the fields the change is older for are left as they are.
 * A deletion is judged for the whole record. A skinny change carries no fields and is never judged stale on its
 * own timestamp: what it means is only known once the record is fetched. A field no change ever told (a
 * partial-change system that never reported it) has no time here and is never stale: only a complete record
 * dates every tracked field.
 */
public final class StateRules {

    public static final String NO_CHANGE = "no-change";
    public static final String STALE = "stale";

    private StateRules() {
    }

    public sealed interface Decision {
    }

    public record Drop(String reason) implements Decision {
    }

    public record Apply(RecordState next) implements Decision {
    }

    /**
     * The fields the record has in the change's system once the change is applied: the change's fields that are
     * not older than what we hold, laid over what we know (a complete change names every tracked field).
     */
    public static FieldSet effectiveFields(Change change, RecordState state) {
        SystemState known = state.system(change.system()).orElse(null);
        if (known == null) {
            return change.fields();
        }
        if (change.skinny()) {
            return known.fields();
        }
        return known.fields().overlay(freshFields(change, known));
    }

    /** The change's fields that are at least as new as the value we hold for each. */
    static FieldSet freshFields(Change change, SystemState known) {
        Map<String, Object> fresh = new TreeMap<>();
        change.fields().values().forEach((name, value) -> {
            if (known == null || !olderThanHeld(change, known, name)) {
                fresh.put(name, value);
            }
        });
        return FieldSet.of(fresh);
    }

    /**
     * What the change says differently from what we hold is all older than what we hold: a complete record that
     * re-states every field is judged by the fields that differ, not by the ones it merely repeats.
     */
    static boolean onlyStaleDifferences(Change change, SystemState known) {
        Map<String, Object> held = known.fields().values();
        boolean differs = false;
        for (Map.Entry<String, Object> field : change.fields().values().entrySet()) {
            if (held.containsKey(field.getKey()) && java.util.Objects.equals(held.get(field.getKey()), field.getValue())) {
                continue;
            }
            differs = true;
            if (!olderThanHeld(change, known, field.getKey())) {
                return false;
            }
        }
        return differs;
    }

    /** The change is older than what set {@code field} here; a field never told here is older than nothing. */
    private static boolean olderThanHeld(Change change, SystemState known, String field) {
        return known.fieldTime(field).map(change.occurredAt()::isBefore).orElse(false);
    }

    /**
     * The change tells only some fields of a record we do not hold whole in its system (never seen there, known only
     * from other partial changes, or waiting for a fetch): it should be made whole (fetched) before it is applied.
     * A system that fires one partial change per property when a record is created (HubSpot) would otherwise have
     * every target written once per property, the first time with a record of one field.
     *
     * @param tracked the system's tracked fields for the record's resource; a complete record names every one
     */
    public static boolean wantsWhole(Change change, RecordState state, Set<String> tracked) {
        if (!change.partial() || change.skinny() || change.deleted() || change.isMerge()) {
            return false;
        }
        SystemState known = state.system(change.system()).orElse(null);
        return known == null || known.fetchRequired() || !known.fields().values().keySet().containsAll(tracked);
    }

    public static Decision decide(Change change, RecordState state, Instant now) {
        SystemState known = state.system(change.system()).orElse(null);
        if (known != null && !change.skinny()) {
            boolean olderRecord = change.occurredAt().isBefore(known.occurredAt());
            if (change.deleted() || known.deleted()) {
                if (olderRecord) {
                    return new Drop(STALE);
                }
            } else if (onlyStaleDifferences(change, known)) {
                return new Drop(STALE);
            }
        }
        FieldSet fields = effectiveFields(change, state);
        String hash = fields.hash();
        if (known != null && !change.skinny() && !known.fetchRequired() && known.deleted() == change.deleted()
                && hash.equals(known.fieldHash())) {
            return new Drop(NO_CHANGE);
        }
        return new Apply(state.with(change.system(), nextState(change, known, fields, hash, now), now));
    }

    private static SystemState nextState(Change change, SystemState known, FieldSet fields, String hash, Instant now) {
        Map<String, Instant> fieldTimes = new TreeMap<>(known == null ? Map.of() : known.fieldTimes());
        if (!change.skinny()) {
            freshFields(change, known).values().keySet().forEach(name -> fieldTimes.put(name, change.occurredAt()));
        }
        Instant occurredAt = known == null || change.occurredAt().isAfter(known.occurredAt()) ? change.occurredAt()
                : known.occurredAt();
        return new SystemState(
                change.recordId(),
                change.account(),
                fields,
                hash,
                occurredAt,
                change.actor().kind().name(),
                change.actor().id(),
                change.changeAgent(),
                change.eventId(),
                correlationId(change),
                SystemState.INBOUND,
                now,
                change.deleted(),
                change.skinny(),
                fieldTimes);
    }

    /** Deterministic, so that a retried apply tags its writes the same way: {@code hubspot:evt_123}. */
    public static String correlationId(Change change) {
        return change.system() + ":" + change.eventId();
    }
}
