package io.loopfree.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.domain.change.Actor;
import io.loopfree.sync.domain.change.Change;
import io.loopfree.sync.domain.change.FieldMapping;
import io.loopfree.sync.domain.change.FieldSet;
import io.loopfree.sync.domain.conflict.Conflict;
import io.loopfree.sync.domain.conflict.ConflictResolution;
import io.loopfree.sync.domain.connection.Connection;
import io.loopfree.sync.domain.connection.ConnectionSystem;
import io.loopfree.sync.domain.connection.DeletePolicy;
import io.loopfree.sync.domain.connection.Ownership;
import io.loopfree.sync.domain.outbound.FanOutPlanner;
import io.loopfree.sync.domain.outbound.OutboundTarget;
import io.loopfree.sync.domain.state.FieldOrigin;
import io.loopfree.sync.domain.state.RecordKey;
import io.loopfree.sync.domain.state.RecordState;
import io.loopfree.sync.domain.state.StateRules;

/**
 * Which lost values are conflicts, pure: two people's edits of one field in two systems within the window, caught
 * in both arrival orders (the loser applied first and replaced; the loser arriving second and refused or dropped as
 * stale); not outside the window, not for equal values, not for an integration's edit, not for a later edit in the
 * same system; a person's value the ownership rule refuses is one whatever its time.
 */
class ConflictRulesTest {

    static final Instant T0 = FanOutPlannerTest.T0;
    /** Ten minutes after the record was created: far outside the default window from its first values. */
    static final Instant T1 = T0.plusSeconds(600);
    static final Actor PERSON = new Actor(Actor.Kind.human, "u_7");
    static final Actor NOBODY_NAMED = Actor.UNKNOWN;
    static final Actor INTEGRATION = new Actor(Actor.Kind.integration, "zapier");

    @Test
    void twoPeoplesEditsWithinTheWindowAreOneConflictInEitherArrivalOrder() {
        Connection connection = connection(new Ownership.LastWriteWins(), null);
        RecordState synced = synced(connection);
        Change app = edit("app", T1, PERSON, "FromApp");
        Change crmA = edit("crm-a", T1.plusSeconds(20), PERSON, "FromA");

        // the loser first: applied, then replaced by the newer edit
        FanOutPlanner.Plan first = plan(connection, synced, app);
        assertThat(first.conflicts()).as("10 minutes after the record's first values").isEmpty();
        FanOutPlanner.Plan replacing = plan(connection, first.state(), crmA);
        assertThat(replacing.state().canonical().values()).containsEntry("firstName", "FromA");

        // the loser second: refused by last-write-wins
        FanOutPlanner.Plan winnerFirst = plan(connection, synced, crmA);
        assertThat(winnerFirst.conflicts()).isEmpty();
        FanOutPlanner.Plan refusing = plan(connection, winnerFirst.state(), app);
        assertThat(refusing.rejected()).containsExactly("firstName");

        for (FanOutPlanner.Plan plan : List.of(replacing, refusing)) {
            assertThat(plan.conflicts()).singleElement().satisfies(conflict -> {
                assertThat(conflict.field()).isEqualTo("firstName");
                assertThat(conflict.loser()).isEqualTo(new Conflict.Side("app", "FromApp", T1, Actor.Kind.human));
                assertThat(conflict.winner()).isEqualTo(new Conflict.Side("crm-a", "FromA", T1.plusSeconds(20),
                        Actor.Kind.human));
                assertThat(conflict.rule()).isEqualTo(Conflict.LAST_WRITE_WINS);
                assertThat(conflict.window()).isEqualTo(Duration.ofSeconds(60));
                assertThat(conflict.sortKey()).as("one item whichever order")
                        .isEqualTo("contact#app:c_1#firstName#2026-11-20T10:10:00.000Z#app");
            });
        }
        assertThat(replacing.conflicts().get(0).decidedBy()).isEqualTo(crmA.system() + ":" + crmA.eventId());
        assertThat(refusing.conflicts().get(0).decidedBy()).isEqualTo(app.system() + ":" + app.eventId());
    }

    @Test
    void theLoserDroppedAsStaleBecauseOurWriteLandedAfterItIsAConflictToo() {
        Connection connection = connection(new Ownership.LastWriteWins(), null);
        RecordState decided = plan(connection, synced(connection), edit("crm-a", T1.plusSeconds(20), PERSON, "FromA"))
                .state();
        // our write of FromA landed in the app at t+30, over the person's edit there at t (or t+25)
        RecordState landed = told(decided, "app", "c_1", T1.plusSeconds(30), "FromA");

        Change older = edit("app", T1, PERSON, "FromApp");
        assertThat(StateRules.decide(older, landed, T0)).isEqualTo(new StateRules.Drop(StateRules.STALE));
        assertThat(stale(connection, older, landed)).singleElement().satisfies(conflict -> {
            assertThat(conflict.loser().value()).isEqualTo("FromApp");
            assertThat(conflict.winner().value()).isEqualTo("FromA");
            assertThat(conflict.rule()).isEqualTo(Conflict.LAST_WRITE_WINS);
        });

        Change newer = edit("app", T1.plusSeconds(25), NOBODY_NAMED, "NewerInApp");
        assertThat(StateRules.decide(newer, landed, T0)).isEqualTo(new StateRules.Drop(StateRules.STALE));
        assertThat(stale(connection, newer, landed)).singleElement().satisfies(conflict -> {
            assertThat(conflict.loser()).isEqualTo(new Conflict.Side("app", "NewerInApp", T1.plusSeconds(25),
                    Actor.Kind.unknown));
            assertThat(conflict.rule()).as("the newer edit lost only because our write landed after it")
                    .isEqualTo(Conflict.OVERWRITTEN);
        });

        // a stale change that repeats what the system holds, or holds the winner's value, discards nothing
        assertThat(stale(connection, edit("app", T1, PERSON, "FromA"), landed)).isEmpty();
        // an integration's value is not a person's
        assertThat(stale(connection, edit("app", T1, INTEGRATION, "FromApp"), landed)).isEmpty();
    }

    @Test
    void editsFurtherApartThanTheWindowAreNotAConflictAndTheWindowIsTheConnections() {
        Connection connection = connection(new Ownership.LastWriteWins(), null);
        RecordState synced = synced(connection);
        Change app = edit("app", T1, PERSON, "FromApp");
        Change crmA = edit("crm-a", T1.plusSeconds(61), PERSON, "FromA");
        assertThat(plan(connection, plan(connection, synced, app).state(), crmA).conflicts()).isEmpty();
        assertThat(plan(connection, plan(connection, synced, crmA).state(), app).conflicts()).isEmpty();

        Connection wide = connection(new Ownership.LastWriteWins(), Duration.ofMinutes(2));
        assertThat(plan(wide, plan(wide, synced, app).state(), crmA).conflicts()).singleElement()
                .satisfies(c -> assertThat(c.window()).isEqualTo(Duration.ofMinutes(2)));
    }

    @Test
    void equalValuesAnIntegrationsEditAndALaterEditInTheSameSystemAreNotConflicts() {
        Connection connection = connection(new Ownership.LastWriteWins(), null);
        RecordState synced = synced(connection);

        Change same = edit("crm-a", T1.plusSeconds(5), PERSON, "Same");
        assertThat(plan(connection, plan(connection, synced, edit("app", T1, PERSON, "Same")).state(), same)
                .conflicts()).as("same value").isEmpty();

        Change bot = edit("crm-a", T1.plusSeconds(5), INTEGRATION, "FromBot");
        assertThat(plan(connection, plan(connection, synced, edit("app", T1, PERSON, "FromApp")).state(), bot)
                .conflicts()).as("an integration's value replaces a person's").isEmpty();
        assertThat(plan(connection, plan(connection, synced, bot).state(), edit("app", T1, PERSON, "FromApp"))
                .conflicts()).as("a person's value loses to an integration's").isEmpty();

        Change again = edit("app", T1.plusSeconds(5), PERSON, "Second");
        assertThat(plan(connection, plan(connection, synced, edit("app", T1, PERSON, "First")).state(), again)
                .conflicts()).as("a person correcting themselves in the same system").isEmpty();

        RecordState appWon = plan(connection, synced, edit("app", T1, PERSON, "FromApp")).state();
        RecordState written = told(appWon, "crm-a", "a_1", T1.plusSeconds(2), "FromApp");
        assertThat(plan(connection, written, edit("crm-a", T1.plusSeconds(10), PERSON, "Changed")).conflicts())
                .as("our write of the value had landed there: its person saw it and changed it").isEmpty();

        Change unnamed = edit("crm-a", T1.plusSeconds(5), NOBODY_NAMED, "FromA");
        assertThat(plan(connection, plan(connection, synced, edit("app", T1, PERSON, "FromApp")).state(), unnamed)
                .conflicts()).as("a webhook that names no actor is a person's edit as far as we can tell")
                .hasSize(1);
    }

    @Test
    void aPersonsValueTheOwnershipRuleRefusesIsAConflictWhateverItsTime() {
        Connection connection = connection(new Ownership.ObjectLevel("app"), null);
        RecordState synced = synced(connection);

        FanOutPlanner.Plan refused = plan(connection, synced, edit("crm-a", T1, PERSON, "NotTheOwner"));
        assertThat(refused.rejected()).containsExactly("firstName");
        assertThat(refused.conflicts()).singleElement().satisfies(conflict -> {
            assertThat(conflict.rule()).isEqualTo(Conflict.OWNERSHIP);
            assertThat(conflict.loser()).isEqualTo(new Conflict.Side("crm-a", "NotTheOwner", T1, Actor.Kind.human));
            assertThat(conflict.winner()).as("the owner's value, set 10 minutes earlier")
                    .isEqualTo(new Conflict.Side("app", "Ada", T0, Actor.Kind.human));
        });
        assertThat(plan(connection, synced, edit("crm-a", T1, INTEGRATION, "NotTheOwner")).conflicts())
                .as("an integration's value").isEmpty();

        Connection byField = connection(new Ownership.FieldLevel(Map.of("firstName", "crm-b")), null);
        assertThat(plan(byField, synced(byField), edit("app", T1, PERSON, "AppsIdea")).conflicts()).singleElement()
                .satisfies(conflict -> {
                    assertThat(conflict.rule()).isEqualTo(Conflict.OWNERSHIP);
                    assertThat(conflict.winner()).as("the owner, which never set it")
                            .isEqualTo(new Conflict.Side("crm-b", null, null, Actor.Kind.unknown));
                });
    }

    @Test
    void anOperatorsChosenValueIsWrittenToEverySystemThatDiffersAndItsMessageReadsBack() {
        Connection connection = connection(new Ownership.LastWriteWins(), null);
        RecordState synced = synced(connection);
        ConflictResolution resolution = new ConflictResolution("acme", "contact", "app:c_1", "firstName", "Augusta",
                "r-1", "ada", "the customer said so", T1, List.of("contact#app:c_1#firstName#x#app"));
        Change change = new Change(resolution.eventId(), ConflictResolution.SYSTEM, "acme", "operator", "contact",
                "app:c_1", "app:c_1", T1, PERSON, null, false, false, true, FieldSet.EMPTY);

        FanOutPlanner.Plan plan = FanOutPlanner.override(connection, synced, change, "firstName", "Augusta",
                new FieldOrigin(ConflictResolution.SYSTEM, T1, T1, Actor.Kind.human),
                system -> Optional.ofNullable(FanOutPlannerTest.MAPPINGS.get(system)), FanOutPlannerTest.AGENT);

        assertThat(plan.state().version()).isEqualTo(synced.version() + 1);
        assertThat(plan.state().canonical().values()).containsEntry("firstName", "Augusta");
        assertThat(plan.writes()).extracting(w -> w.write().target().system() + ":" + w.write().fields())
                .containsExactlyInAnyOrder("app:{first=Augusta}", "crm-a:{firstname=Augusta}",
                        "crm-b:{FirstName=Augusta}");
        assertThat(ConflictResolution.read(resolution.envelope())).contains(resolution);
        assertThat(ConflictResolution.read(io.loopfree.sync.domain.envelope.Envelope.of(ConflictResolution.SYSTEM,
                "acme", "e1", T1, Map.of(), "{}".getBytes()))).as("not from the operations tool").isEmpty();
    }

    // --- helpers ---

    private static List<Conflict> stale(Connection connection, Change change, RecordState state) {
        return FanOutPlanner.refusedAsStale(connection, change, state,
                system -> Optional.ofNullable(FanOutPlannerTest.MAPPINGS.get(system)), T0);
    }

    private static FanOutPlanner.Plan plan(Connection connection, RecordState previous, Change change) {
        RecordState next = ((StateRules.Apply) StateRules.decide(change, previous, T0)).next();
        return FanOutPlanner.plan(connection, change, previous, next,
                system -> Optional.ofNullable(FanOutPlannerTest.MAPPINGS.get(system)), FanOutPlannerTest.AGENT, T0);
    }

    /** The record created by a person in the app at T0, and the CRMs' states as our writes left them. */
    private static RecordState synced(Connection connection) {
        FanOutPlanner.Plan created = plan(connection, RecordState.absent(key()),
                change("app", "c_1", T0, PERSON, Map.of("email", "ada@example.com", "first", "Ada", "last", "Lovelace")));
        RecordState state = created.state();
        for (FanOutPlanner.PlannedWrite write : created.writes()) {
            String system = write.write().target().system();
            state = ((StateRules.Apply) StateRules.decide(change(system, system.equals("crm-a") ? "a_1" : "b_1",
                    T0.plusSeconds(1), PERSON, write.after().values()), state, T0)).next();
        }
        return state;
    }

    /** What a system holds once our write of {@code first} landed there at {@code at}. */
    private static RecordState told(RecordState state, String system, String recordId, Instant at, String first) {
        Change landed = edit(system, at, PERSON, first);
        return ((StateRules.Apply) StateRules.decide(new Change(landed.eventId(), system, "acme", "acct-" + system,
                "contact", recordId, landed.canonicalKey(), at, landed.actor(), null, false, false, false,
                landed.fields()), state, T0)).next();
    }

    /** A person (or an integration) sets the first name in {@code system}; the rest as created. */
    private static Change edit(String system, Instant at, Actor actor, String first) {
        String firstName = switch (system) {
            case "app" -> "first";
            case "crm-a" -> "firstname";
            default -> "FirstName";
        };
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put(system.equals("crm-b") ? "Email" : "email", "ada@example.com");
        fields.put(firstName, first);
        fields.put(system.equals("app") ? "last" : system.equals("crm-a") ? "lastname" : "LastName", "Lovelace");
        return change(system, system.equals("app") ? "c_1" : system.equals("crm-a") ? "a_1" : "b_1", at, actor,
                fields);
    }

    private static Change change(String system, String recordId, Instant at, Actor actor, Map<String, ?> fields) {
        Map<String, Object> normalized = new LinkedHashMap<>();
        FieldMapping mapping = FanOutPlannerTest.MAPPINGS.get(system);
        mapping.tracked().keySet().forEach(name -> normalized.put(name, fields.get(name)));
        return new Change("evt-" + system + "-" + at.toEpochMilli() + "-" + actor.kind(), system, "acme",
                "acct-" + system, "contact", recordId, system.equals("app") ? null : "app:c_1", at, actor, null, false,
                false, false, FieldSet.of(normalized));
    }

    private static RecordKey key() {
        return new RecordKey("acme", "contact", "app:c_1");
    }

    private static Connection connection(Ownership ownership, Duration window) {
        List<ConnectionSystem> systems = List.of("app", "crm-a", "crm-b").stream()
                .map(s -> new ConnectionSystem(s, "acct-" + s,
                        new OutboundTarget("acme", s, "acct-" + s, "sandbox", null, Map.of()), Map.of()))
                .toList();
        return new Connection("acme", "contact", systems, ownership, DeletePolicy.hold, Map.of(), null, window);
    }
}
