package io.loopfree.sync.domain.state;

import java.time.Instant;

import io.loopfree.sync.domain.change.Change;
import io.loopfree.sync.domain.change.FieldSet;

/**
 * The layers that compare a change with the state we hold for its record in its system: no net change (same
 * normalized fields), stale (older than what we applied: providers reorder), else the next state to apply.
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
     * The fields the record has in the change's system once the change is applied: a partial change (one property)
     * lands on top of what we know; a complete one replaces it.
     */
    public static FieldSet effectiveFields(Change change, RecordState state) {
        FieldSet known = state.system(change.system()).map(SystemState::fields).orElse(FieldSet.EMPTY);
        if (change.skinny()) {
            return known;
        }
        return change.partial() ? known.overlay(change.fields()) : change.fields();
    }

    public static Decision decide(Change change, RecordState state, Instant now) {
        SystemState known = state.system(change.system()).orElse(null);
        FieldSet fields = effectiveFields(change, state);
        String hash = fields.hash();
        if (known != null && !change.skinny() && !known.fetchRequired() && known.deleted() == change.deleted()
                && hash.equals(known.fieldHash())) {
            return new Drop(NO_CHANGE);
        }
        if (known != null && change.occurredAt().isBefore(known.occurredAt())) {
            return new Drop(STALE);
        }
        SystemState next = new SystemState(
                change.recordId(),
                change.account(),
                fields,
                hash,
                change.occurredAt(),
                change.actor().kind().name(),
                change.actor().id(),
                change.changeAgent(),
                change.eventId(),
                correlationId(change),
                SystemState.INBOUND,
                now,
                change.deleted(),
                change.skinny());
        return new Apply(state.with(change.system(), next, now));
    }

    /** Deterministic, so that a retried apply tags its writes the same way: {@code hubspot:evt_123}. */
    public static String correlationId(Change change) {
        return change.system() + ":" + change.eventId();
    }
}
