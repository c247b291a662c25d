package io.loopfree.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.domain.change.Actor;
import io.loopfree.sync.domain.change.Change;
import io.loopfree.sync.domain.change.FieldMapping;
import io.loopfree.sync.domain.change.FieldSet;
import io.loopfree.sync.domain.change.FieldType;
import io.loopfree.sync.domain.connection.Connection;
import io.loopfree.sync.domain.connection.ConnectionSystem;
import io.loopfree.sync.domain.connection.DeletePolicy;
import io.loopfree.sync.domain.connection.FieldDirection;
import io.loopfree.sync.domain.connection.Ownership;
import io.loopfree.sync.domain.outbound.FanOutPlanner;
import io.loopfree.sync.domain.outbound.OutboundTarget;
import io.loopfree.sync.domain.outbound.OutboundWrite;
import io.loopfree.sync.domain.state.RecordKey;
import io.loopfree.sync.domain.state.RecordState;
import io.loopfree.sync.domain.state.StateRules;

/**
 * The fan-out's decisions, pure: field names across three systems, ownership models with conflicting edits from two
 * systems, per-field direction, the diff that skips a no-op, deletes propagated / held / ignored, idempotency keys.
 */
class FanOutPlannerTest {

    static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
    static final String AGENT = "loopfree-sync";

    /** The app says email/name; crm-a firstname/lastname/email (HubSpot-like); crm-b Email/FirstName/LastName. */
    static final Map<String, FieldMapping> MAPPINGS = Map.of(
            "app", new Renaming(Map.of("email", "email", "first", "firstName", "last", "lastName", "plan", "plan")),
            "crm-a", new Renaming(Map.of("email", "email", "firstname", "firstName", "lastname", "lastName")),
            "crm-b", new Renaming(Map.of("Email", "email", "FirstName", "firstName", "LastName", "lastName")));

    @Test
    void aContactEditedInOneSystemAppearsWithTheRightNamesInTheOthers() {
        Connection connection = connection(new Ownership.LastWriteWins(), DeletePolicy.hold, Map.of());
        FanOutPlanner.Plan plan = applyAndPlan(connection, RecordState.absent(key()),
                change("app", "c_1", T0, Map.of("email", "ada@example.com", "first", "Ada", "last", "Lovelace")));

        assertThat(plan.state().canonical().values()).containsEntry("firstName", "Ada").containsEntry("lastName", "Lovelace");
        assertThat(plan.writes()).hasSize(2);
        assertThat(write(plan, "crm-a").fields()).isEqualTo(Map.of("email", "ada@example.com", "firstname", "Ada",
                "lastname", "Lovelace"));
        assertThat(write(plan, "crm-b").fields()).isEqualTo(Map.of("Email", "ada@example.com", "FirstName", "Ada",
                "LastName", "Lovelace"));
        assertThat(write(plan, "crm-b").externalId()).isEqualTo("app:c_1");
        assertThat(write(plan, "crm-b").recordId()).as("not created there yet").isNull();
        assertThat(write(plan, "crm-b").changeAgent()).isEqualTo(AGENT);
    }

    @Test
    void onlyTheFieldsThatDifferAreWrittenAndANoOpIsSkipped() {
        Connection connection = connection(new Ownership.LastWriteWins(), DeletePolicy.hold, Map.of());
        RecordState synced = synced(connection);
        FanOutPlanner.Plan rename = applyAndPlan(connection, synced,
                change("app", "c_1", T0.plusSeconds(10), Map.of("email", "ada@example.com", "first", "Augusta", "last", "Lovelace")));
        assertThat(write(rename, "crm-a").fields()).isEqualTo(Map.of("firstname", "Augusta"));
        assertThat(write(rename, "crm-a").recordId()).isEqualTo("a_1");

        // crm-a reports the values we wrote there (an echo the marker missed): no net change, dropped before planning
        Change echo = change("crm-a", "a_1", T0.plusSeconds(10), Map.of("email", "ada@example.com", "firstname", "Ada",
                "lastname", "Lovelace"));
        assertThat(StateRules.decide(echo, synced, T0)).isEqualTo(new StateRules.Drop(StateRules.NO_CHANGE));

        // the app changes a field no other system has: applied, and nothing to write anywhere
        FanOutPlanner.Plan appOnly = applyAndPlan(connection, synced,
                change("app", "c_1", T0.plusSeconds(10), Map.of("email", "ada@example.com", "first", "Ada", "last", "Lovelace", "plan", "pro")));
        assertThat(appOnly.writes()).isEmpty();
        assertThat(appOnly.skipped()).isEqualTo(2);
    }

    @Test
    void idempotencyKeysAreStableForTheSameWriteAndDifferForAnother() {
        Connection connection = connection(new Ownership.LastWriteWins(), DeletePolicy.hold, Map.of());
        Change edit = change("app", "c_1", T0, Map.of("email", "ada@example.com", "first", "Ada", "last", "Lovelace"));
        String once = write(applyAndPlan(connection, RecordState.absent(key()), edit), "crm-a").idempotencyKey();
        String again = write(applyAndPlan(connection, RecordState.absent(key()), edit), "crm-a").idempotencyKey();
        assertThat(once).isEqualTo(again).startsWith("loopfree-");
        assertThat(write(applyAndPlan(connection, RecordState.absent(key()), edit), "crm-b").idempotencyKey())
                .isNotEqualTo(once);
    }

    @Test
    void lastWriteWinsDecidesConflictingEditsByOccurredAt() {
        Connection connection = connection(new Ownership.LastWriteWins(), DeletePolicy.hold, Map.of());
        RecordState synced = synced(connection);
        RecordState afterA = applyAndPlan(connection, synced,
                change("crm-a", "a_1", T0.plusSeconds(20), Map.of("email", "ada@example.com", "firstname", "FromA", "lastname", "Lovelace"))).state();
        // the app's edit happened earlier (t+10) but arrives later: it loses, and the app is brought to crm-a's value
        FanOutPlanner.Plan late = applyAndPlan(connection, afterA,
                change("app", "c_1", T0.plusSeconds(10), Map.of("email", "ada@example.com", "first", "FromApp", "last", "Lovelace")));
        assertThat(late.rejected()).containsExactly("firstName");
        assertThat(late.state().canonical().values()).containsEntry("firstName", "FromA");
        assertThat(write(late, "app").fields()).as("the app converges").isEqualTo(Map.of("first", "FromA"));
        // crm-b's write of FromA was planned but not completed here: the new plan carries the same value
        assertThat(write(late, "crm-b").fields()).isEqualTo(Map.of("FirstName", "FromA"));
    }

    @Test
    void objectLevelOwnershipOverwritesOtherSystemsEdits() {
        Connection connection = connection(new Ownership.ObjectLevel("app"), DeletePolicy.hold, Map.of());
        RecordState synced = synced(connection);
        FanOutPlanner.Plan fromB = applyAndPlan(connection, synced,
                change("crm-b", "b_1", T0.plusSeconds(30), Map.of("Email", "other@example.com", "FirstName", "Ada", "LastName", "Lovelace")));
        assertThat(fromB.rejected()).containsExactly("email");
        assertThat(fromB.state().canonical().values()).containsEntry("email", "ada@example.com");
        assertThat(fromB.writes()).hasSize(1);
        assertThat(write(fromB, "crm-b").fields()).isEqualTo(Map.of("Email", "ada@example.com"));
    }

    @Test
    void recordLevelOwnershipBelongsToTheSystemThatCreatedTheRecord() {
        Connection connection = connection(new Ownership.RecordLevel(), DeletePolicy.hold, Map.of());
        RecordState synced = synced(connection); // created in the app
        FanOutPlanner.Plan fromA = applyAndPlan(connection, synced,
                change("crm-a", "a_1", T0.plusSeconds(30), Map.of("email", "ada@example.com", "firstname", "Nope", "lastname", "Lovelace")));
        assertThat(fromA.rejected()).containsExactly("firstName");
        assertThat(write(fromA, "crm-a").fields()).isEqualTo(Map.of("firstname", "Ada"));
        FanOutPlanner.Plan fromApp = applyAndPlan(connection, synced,
                change("app", "c_1", T0.plusSeconds(30), Map.of("email", "ada@example.com", "first", "Yes", "last", "Lovelace")));
        assertThat(fromApp.rejected()).isEmpty();
        assertThat(fromApp.writes()).hasSize(2);
    }

    @Test
    void fieldLevelOwnershipMergesEachOwnersFields() {
        Connection connection = connection(new Ownership.FieldLevel(Map.of("email", "crm-a", "firstName", "app")),
                DeletePolicy.hold, Map.of());
        RecordState synced = synced(connection);
        FanOutPlanner.Plan fromA = applyAndPlan(connection, synced,
                change("crm-a", "a_1", T0.plusSeconds(30), Map.of("email", "new@example.com", "firstname", "Nope", "lastname", "King")));
        assertThat(fromA.rejected()).containsExactly("firstName");
        assertThat(fromA.state().canonical().values()).containsEntry("email", "new@example.com")
                .containsEntry("firstName", "Ada").containsEntry("lastName", "King");
        assertThat(write(fromA, "app").fields()).isEqualTo(Map.of("email", "new@example.com", "last", "King"));
        assertThat(write(fromA, "crm-a").fields()).isEqualTo(Map.of("firstname", "Ada"));
    }

    @Test
    void aFieldReadOnlyInASystemIsNeverWrittenThereAndOneSyncedIntoItIsNeverReadFromIt() {
        Connection connection = connection(new Ownership.LastWriteWins(), DeletePolicy.hold,
                Map.of("crm-a", Map.of("email", FieldDirection.from_system), "crm-b", Map.of("FirstName", FieldDirection.to_system)));
        FanOutPlanner.Plan plan = applyAndPlan(connection, RecordState.absent(key()),
                change("app", "c_1", T0, Map.of("email", "ada@example.com", "first", "Ada", "last", "Lovelace")));
        assertThat(write(plan, "crm-a").fields()).doesNotContainKey("email");
        assertThat(write(plan, "crm-b").fields()).containsKey("FirstName");

        RecordState synced = synced(connection);
        FanOutPlanner.Plan fromB = applyAndPlan(connection, synced,
                change("crm-b", "b_1", T0.plusSeconds(30), Map.of("Email", "ada@example.com", "FirstName", "Ignored", "LastName", "Lovelace")));
        assertThat(fromB.state().canonical().values()).containsEntry("firstName", "Ada");
        assertThat(fromB.writes()).isEmpty();
    }

    @Test
    void deletesArePropagatedHeldOrIgnored() {
        for (DeletePolicy policy : DeletePolicy.values()) {
            Connection connection = connection(new Ownership.LastWriteWins(), policy, Map.of());
            RecordState synced = synced(connection);
            Change deletion = new Change("del", "app", "acme", "acme", "contact", "c_1", null, T0.plusSeconds(40),
                    new Actor(Actor.Kind.human, "u"), null, true, false, true, FieldSet.EMPTY);
            FanOutPlanner.Plan plan = applyAndPlan(connection, synced, deletion);
            if (policy == DeletePolicy.ignore) {
                assertThat(plan.writes()).as(policy.name()).isEmpty();
                continue;
            }
            assertThat(plan.writes()).as(policy.name()).hasSize(2)
                    .allSatisfy(w -> assertThat(w.write().action()).isEqualTo(OutboundWrite.Action.DELETE))
                    .allSatisfy(w -> assertThat(w.held()).isEqualTo(policy == DeletePolicy.hold));
            assertThat(write(plan, "crm-a").recordId()).isEqualTo("a_1");
            assertThat(plan.state().deleted()).isTrue();
        }
    }

    // --- helpers ---

    /** A record created in the app and written to both CRMs (their states as our writes left them). */
    private static RecordState synced(Connection connection) {
        FanOutPlanner.Plan created = applyAndPlan(connection, RecordState.absent(key()),
                change("app", "c_1", T0, Map.of("email", "ada@example.com", "first", "Ada", "last", "Lovelace")));
        RecordState state = created.state();
        for (FanOutPlanner.PlannedWrite write : created.writes()) {
            String system = write.write().target().system();
            Change told = change(system, system.equals("crm-a") ? "a_1" : "b_1", T0.plusSeconds(1),
                    write.after().values());
            state = ((StateRules.Apply) StateRules.decide(told, state, T0)).next();
        }
        return state;
    }

    private static FanOutPlanner.Plan applyAndPlan(Connection connection, RecordState previous, Change change) {
        RecordState next = ((StateRules.Apply) StateRules.decide(change, previous, T0)).next();
        return FanOutPlanner.plan(connection, change, previous, next, system -> Optional.ofNullable(MAPPINGS.get(system)),
                AGENT, T0);
    }

    private static OutboundWrite write(FanOutPlanner.Plan plan, String system) {
        return plan.writes().stream().map(FanOutPlanner.PlannedWrite::write)
                .filter(w -> w.target().system().equals(system)).findFirst().orElseThrow();
    }

    private static RecordKey key() {
        return new RecordKey("acme", "contact", "app:c_1");
    }

    private static Connection connection(Ownership ownership, DeletePolicy onDelete,
            Map<String, Map<String, FieldDirection>> directions) {
        List<ConnectionSystem> systems = List.of("app", "crm-a", "crm-b").stream()
                .map(s -> new ConnectionSystem(s, "acct-" + s,
                        new OutboundTarget("acme", s, "acct-" + s, "sandbox", null, Map.of()),
                        directions.getOrDefault(s, Map.of())))
                .toList();
        return new Connection("acme", "contact", systems, ownership, onDelete);
    }

    private static Change change(String system, String recordId, Instant at, Map<String, ?> fields) {
        Map<String, Object> normalized = new LinkedHashMap<>();
        FieldMapping mapping = MAPPINGS.get(system);
        mapping.tracked().keySet().forEach(name -> normalized.put(name, fields.get(name)));
        return new Change("evt-" + system + "-" + at.getEpochSecond(), system, "acme", "acct-" + system, "contact",
                recordId, system.equals("app") ? null : "app:c_1", at, new Actor(Actor.Kind.human, "u"), null, false,
                false, false, FieldSet.of(normalized));
    }

    /** A mapping that only renames: native name → unified name. */
    record Renaming(Map<String, String> toUnifiedNames) implements FieldMapping {
        @Override
        public Map<String, FieldType> tracked() {
            Map<String, FieldType> tracked = new TreeMap<>();
            toUnifiedNames.keySet().forEach(name -> tracked.put(name, FieldType.string));
            return tracked;
        }

        @Override
        public Map<String, Object> toUnified(FieldSet nativeFields) {
            Map<String, Object> unified = new TreeMap<>();
            nativeFields.values().forEach((name, value) -> {
                if (toUnifiedNames.containsKey(name)) {
                    unified.put(toUnifiedNames.get(name), value);
                }
            });
            return unified;
        }

        @Override
        public FieldSet fromUnified(Map<String, Object> unified) {
            Map<String, Object> values = new TreeMap<>();
            toUnifiedNames.forEach((nativeName, unifiedName) -> {
                if (unified.containsKey(unifiedName)) {
                    values.put(nativeName, unified.get(unifiedName));
                }
            });
            return FieldSet.of(values);
        }
    }
}
