package io.loopfree.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.domain.change.Actor;
import io.loopfree.sync.domain.change.Change;
import io.loopfree.sync.domain.change.FieldSet;
import io.loopfree.sync.domain.state.RecordKey;
import io.loopfree.sync.domain.state.RecordState;
import io.loopfree.sync.domain.state.StateRules;
import io.loopfree.sync.domain.state.SystemState;

/**
 * Staleness per field (issue 13, defect 0): HubSpot sends one webhook per property and says they may arrive out of
 * order; a property changed earlier but delivered later must still land. Every kind of change, in order and
 * reordered.
 */
class StalenessPerFieldTest {

    static final Instant T1 = Instant.parse("2026-11-20T10:00:01Z");
    static final Instant T2 = Instant.parse("2026-11-20T10:00:02Z");
    static final Instant T3 = Instant.parse("2026-11-20T10:00:03Z");
    static final RecordKey KEY = new RecordKey("acme", "contact", "hubspot:42");

    private final RecordState base = apply(RecordState.absent(KEY),
            complete(Instant.parse("2026-11-20T10:00:00Z"), Map.of("email", "a@example.com", "phone", "1")));

    @Test
    void partialChangesOfDifferentFieldsInOrderBothLand() {
        RecordState state = apply(base, partial(T1, Map.of("phone", "2")));
        state = apply(state, partial(T2, Map.of("email", "b@example.com")));
        assertThat(fields(state)).containsEntry("phone", "2").containsEntry("email", "b@example.com");
    }

    @Test
    void partialChangesOfDifferentFieldsReorderedBothLand() {
        RecordState state = apply(base, partial(T2, Map.of("email", "b@example.com")));
        StateRules.Decision late = StateRules.decide(partial(T1, Map.of("phone", "2")), state, T3);
        assertThat(late).as("phone changed at t1, delivered after email at t2").isInstanceOf(StateRules.Apply.class);
        state = ((StateRules.Apply) late).next();
        assertThat(fields(state)).containsEntry("phone", "2").containsEntry("email", "b@example.com");
        assertThat(state.system("hubspot").orElseThrow().occurredAt()).as("the record's time never goes back")
                .isEqualTo(T2);
    }

    @Test
    void partialChangesOfTheSameFieldReorderedKeepTheNewer() {
        RecordState state = apply(base, partial(T2, Map.of("phone", "new")));
        assertThat(StateRules.decide(partial(T1, Map.of("phone", "old")), state, T3))
                .isEqualTo(new StateRules.Drop(StateRules.STALE));
        assertThat(fields(state)).containsEntry("phone", "new");
    }

    @Test
    void aPartialOlderThanACompleteLandsOnlyOnFieldsTheCompleteDidNotSetLater() {
        RecordState state = apply(base, complete(T2, Map.of("email", "b@example.com", "phone", "1")));
        assertThat(StateRules.decide(partial(T1, Map.of("phone", "2")), state, T3))
                .as("the complete state at t2 already tells phone as of t2").isEqualTo(new StateRules.Drop(StateRules.STALE));
    }

    @Test
    void aCompleteOlderThanAPartialKeepsThePartialsField() {
        RecordState state = apply(base, partial(T2, Map.of("email", "b@example.com")));
        StateRules.Decision late = StateRules.decide(complete(T1, Map.of("email", "old@example.com", "phone", "2")),
                state, T3);
        assertThat(late).isInstanceOf(StateRules.Apply.class);
        assertThat(fields(((StateRules.Apply) late).next())).containsEntry("email", "b@example.com")
                .containsEntry("phone", "2");
    }

    @Test
    void aCompleteRecordWhoseOnlyDifferenceIsOlderIsStaleThoughItRepeatsOtherFields() {
        // phone set at t2 (say, our write landing there); the webhook of an edit made at t1 re-states every field
        RecordState state = apply(base, partial(T2, Map.of("phone", "ours")));
        assertThat(StateRules.decide(complete(T1, Map.of("email", "a@example.com", "phone", "theirs")), state, T3))
                .as("email only repeats what we hold; the one difference is older").isEqualTo(
                        new StateRules.Drop(StateRules.STALE));
        assertThat(StateRules.decide(complete(T1, Map.of("email", "a@example.com", "phone", "ours")), state, T3))
                .as("nothing differs: no change, not stale").isEqualTo(new StateRules.Drop(StateRules.NO_CHANGE));
    }

    @Test
    void aLatePartialChangeOfAFieldNeverSeenIsKept() {
        // issue 17, defect 4: HubSpot property changes of a contact we never saw complete, the phone (5 s ago)
        // delivered after the email (1 s ago): the phone has no time of its own, so it cannot be stale
        Instant now = Instant.parse("2026-11-20T10:00:10Z");
        RecordState state = apply(RecordState.absent(KEY), partial(now.minusSeconds(1), Map.of("email", "b@example.com")));
        StateRules.Decision late = StateRules.decide(partial(now.minusSeconds(5), Map.of("phone", "+1 555 0100")), state,
                now);
        assertThat(late).as("the phone was never reported: older than nothing").isInstanceOf(StateRules.Apply.class);
        SystemState next = ((StateRules.Apply) late).next().system("hubspot").orElseThrow();
        assertThat(next.fields().values()).containsEntry("phone", "+1 555 0100").containsEntry("email", "b@example.com");
        assertThat(next.fieldTimes()).containsEntry("phone", now.minusSeconds(5));
        assertThat(next.occurredAt()).as("the record's time never goes back").isEqualTo(now.minusSeconds(1));
    }

    @Test
    void aCompleteRecordDatesEveryTrackedFieldEvenAnEmptyOne() {
        Map<String, Object> noPhone = new java.util.HashMap<>();
        noPhone.put("email", "b@example.com");
        noPhone.put("phone", null); // a complete payload without the field: the field is empty as of then
        RecordState state = apply(RecordState.absent(KEY), complete(T2, noPhone));
        assertThat(state.system("hubspot").orElseThrow().fieldTimes()).containsEntry("phone", T2);
        assertThat(StateRules.decide(partial(T1, Map.of("phone", "2")), state, T3))
                .as("the complete record at t2 says the phone was empty then").isEqualTo(new StateRules.Drop(StateRules.STALE));
    }

    @Test
    void completeChangesInOrderAndReordered() {
        RecordState state = apply(base, complete(T2, Map.of("email", "b@example.com", "phone", "3")));
        assertThat(StateRules.decide(complete(T1, Map.of("email", "x@example.com", "phone", "9")), state, T3))
                .isEqualTo(new StateRules.Drop(StateRules.STALE));
        assertThat(StateRules.decide(complete(T3, Map.of("email", "c@example.com", "phone", "3")), state, T3))
                .isInstanceOf(StateRules.Apply.class);
    }

    @Test
    void aSkinnyChangeIsNeverStaleOnItsOwnTimestamp() {
        RecordState state = apply(base, partial(T2, Map.of("email", "b@example.com")));
        StateRules.Decision skinny = StateRules.decide(skinny(T1), state, T3);
        assertThat(skinny).isInstanceOf(StateRules.Apply.class);
        SystemState next = ((StateRules.Apply) skinny).next().system("hubspot").orElseThrow();
        assertThat(next.fetchRequired()).isTrue();
        assertThat(next.fields()).as("the fields stay as known until fetched").isEqualTo(fieldsOf(state));
        assertThat(StateRules.decide(skinny(T3), state, T3)).isInstanceOf(StateRules.Apply.class);
    }

    @Test
    void aDeletionIsJudgedForTheWholeRecord() {
        RecordState state = apply(base, partial(T2, Map.of("email", "b@example.com")));
        assertThat(StateRules.decide(deleted(T1), state, T3)).isEqualTo(new StateRules.Drop(StateRules.STALE));
        RecordState gone = apply(state, deleted(T3));
        assertThat(gone.system("hubspot").orElseThrow().deleted()).isTrue();
        assertThat(StateRules.decide(partial(T2, Map.of("phone", "7")), gone, T3))
                .as("an edit from before the deletion").isEqualTo(new StateRules.Drop(StateRules.STALE));
    }

    private static RecordState apply(RecordState state, Change change) {
        StateRules.Decision decision = StateRules.decide(change, state, T3);
        assertThat(decision).isInstanceOf(StateRules.Apply.class);
        return ((StateRules.Apply) decision).next();
    }

    private static Map<String, Object> fields(RecordState state) {
        return fieldsOf(state).values();
    }

    private static FieldSet fieldsOf(RecordState state) {
        return state.system("hubspot").orElseThrow().fields();
    }

    private static Change partial(Instant at, Map<String, Object> fields) {
        return change(at, fields, true, false, false);
    }

    private static Change complete(Instant at, Map<String, Object> fields) {
        return change(at, fields, false, false, false);
    }

    private static Change skinny(Instant at) {
        return change(at, Map.of(), false, true, false);
    }

    private static Change deleted(Instant at) {
        return change(at, Map.of(), true, false, true);
    }

    private static Change change(Instant at, Map<String, Object> fields, boolean partial, boolean skinny,
            boolean deleted) {
        return new Change("evt-" + at.getEpochSecond() + fields.keySet(), "hubspot", "acme", "portal", "contact", "42",
                null, at, new Actor(Actor.Kind.human, "u"), null, deleted, skinny, partial, FieldSet.of(fields));
    }
}
