package io.loopfree.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.domain.change.Actor;
import io.loopfree.sync.domain.change.Change;
import io.loopfree.sync.domain.change.FieldMapping;
import io.loopfree.sync.domain.change.FieldSet;
import io.loopfree.sync.domain.connection.Connection;
import io.loopfree.sync.domain.connection.ConnectionSystem;
import io.loopfree.sync.domain.connection.DeletePolicy;
import io.loopfree.sync.domain.connection.MatchRule;
import io.loopfree.sync.domain.connection.Ownership;
import io.loopfree.sync.domain.link.LinkKey;
import io.loopfree.sync.domain.outbound.FanOutPlanner;
import io.loopfree.sync.domain.outbound.OutboundTarget;
import io.loopfree.sync.domain.outbound.OutboundWrite;
import io.loopfree.sync.domain.reconcile.MatchGroup;
import io.loopfree.sync.domain.reconcile.MatchKeys;
import io.loopfree.sync.domain.reconcile.MatchPlanner;
import io.loopfree.sync.domain.state.RecordKey;

/** Initial matching, pure: key normalization, what a group of one key becomes, what a match writes. */
class InitialMatchingRulesTest {

    static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
    static final MatchRule BY_EMAIL = new MatchRule(List.of("email"), "app");
    static final Map<String, FieldMapping> MAPPINGS = FanOutPlannerTest.MAPPINGS;

    // ---- keys

    @Test
    void anEmailKeyIsTrimmedLowerCasedAndUnicodeNormalized() {
        assertThat(MatchKeys.of(BY_EMAIL, Map.of("email", "  Ada.Lovelace@Example.COM \t"))).contains(
                "ada.lovelace@example.com");
        // full-width letters (NFKC) and a non-breaking space are the same address
        assertThat(MatchKeys.of(BY_EMAIL, Map.of("email", "\uff21da@example.com\u00a0"))).contains("ada@example.com");
    }

    @Test
    void aRecordWithoutAKeyValueHasNoKey() {
        assertThat(MatchKeys.of(BY_EMAIL, Map.of("firstName", "Ada"))).isEmpty();
        assertThat(MatchKeys.of(BY_EMAIL, Map.of("email", "   "))).isEmpty();
        Map<String, Object> nullEmail = new HashMap<>();
        nullEmail.put("email", null);
        assertThat(MatchKeys.of(BY_EMAIL, nullEmail)).isEmpty();
    }

    @Test
    void aSecondKeyMustMatchTooAndKeepsItsCaseButNotItsSpacing() {
        MatchRule rule = new MatchRule(List.of("email", "lastName"), "app");
        Optional<String> key = MatchKeys.of(rule, Map.of("email", "ADA@example.com", "lastName", " Lovelace  King "));
        assertThat(key).isPresent();
        assertThat(MatchKeys.readable(key.get())).isEqualTo("ada@example.com + Lovelace King");
        assertThat(MatchKeys.of(rule, Map.of("email", "ada@example.com"))).as("second key missing").isEmpty();
        assertThat(MatchKeys.of(rule, Map.of("email", "ada@example.com", "lastName", "lovelace king")))
                .as("only e-mail is case-insensitive").isNotEqualTo(key);
        assertThat(MatchKeys.digest(key.get())).hasSize(64).isEqualTo(MatchKeys.digest(key.get()));
    }

    @Test
    void aRuleNamesOneOrTwoKeysAndAWinnerOfTheConnection() {
        assertThatThrownBy(() -> new MatchRule(List.of(), "app")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MatchRule(List.of("a", "b", "c"), "app")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> connection(new MatchRule(List.of("email"), "nowhere")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("match.winner");
    }

    // ---- groups

    @Test
    void oneRecordPerSystemIsAMatchLedByTheWinner() {
        MatchGroup.Decision decision = MatchGroup.decide(connection(new MatchRule(List.of("email"), "crm-a")),
                List.of(entry("app", "c_1"), entry("crm-a", "a_1")), 2);
        assertThat(decision).isEqualTo(new MatchGroup.Matched(entry("crm-a", "a_1"), List.of(entry("app", "c_1"))));
    }

    @Test
    void withoutTheWinnerInTheGroupTheFirstSystemOfTheConnectionLeads() {
        MatchGroup.Decision decision = MatchGroup.decide(connection(BY_EMAIL),
                List.of(entry("crm-b", "b_1"), entry("crm-a", "a_1")), 2);
        assertThat(decision).isEqualTo(new MatchGroup.Matched(entry("crm-a", "a_1"), List.of(entry("crm-b", "b_1"))));
    }

    @Test
    void aKeyInOneSystemOnlyIsUnmatched() {
        assertThat(MatchGroup.decide(connection(BY_EMAIL), List.of(entry("app", "c_1")), 1))
                .isEqualTo(new MatchGroup.Unmatched(entry("app", "c_1")));
    }

    @Test
    void twoRecordsOfOneSystemWithTheKeyAreAmbiguousNeverGuessed() {
        MatchGroup.Decision decision = MatchGroup.decide(connection(BY_EMAIL),
                List.of(entry("app", "c_1"), entry("app", "c_2"), entry("crm-a", "a_1")), 3);
        assertThat(decision).isInstanceOf(MatchGroup.Ambiguous.class);
        assertThat(((MatchGroup.Ambiguous) decision).reason()).isEqualTo("2 records in app share the key");
        // even within one system only: both stay unsynced rather than one picked
        assertThat(MatchGroup.decide(connection(BY_EMAIL), List.of(entry("crm-a", "a_1"), entry("crm-a", "a_2")), 2))
                .isInstanceOf(MatchGroup.Ambiguous.class);
        // a group cut at its size bound is ambiguous whatever it kept
        assertThat(MatchGroup.decide(connection(BY_EMAIL), List.of(entry("app", "c_1"), entry("crm-a", "a_1")), 900))
                .isInstanceOf(MatchGroup.Ambiguous.class);
    }

    // ---- pairing

    @Test
    void aMatchLinksTheOthersToTheWinnersKeyAndWritesOnlyTheFieldsThatDiffer() {
        Connection connection = connection(BY_EMAIL);
        Change app = change("app", "c_1", T0, Map.of("email", "ada@example.com", "first", "Ada", "last", "Lovelace"));
        Change crmA = change("crm-a", "a_1", T0.plusSeconds(60), Map.of("email", "ADA@example.com ", "firstname", "Augusta",
                "lastname", "Lovelace"));
        MatchPlanner.Pairing pairing = MatchPlanner.pair(connection, app, List.of(crmA),
                system -> Optional.ofNullable(MAPPINGS.get(system)), "loopfree-sync", T0);

        assertThat(pairing.plan().state().key()).isEqualTo(new RecordKey("acme", "contact", "app:c_1"));
        assertThat(pairing.plan().state().version()).as("a new record").isEqualTo(1);
        assertThat(pairing.plan().state().origin()).isEqualTo("app");
        assertThat(pairing.plan().state().system("crm-a").orElseThrow().recordId()).isEqualTo("a_1");
        assertThat(pairing.links()).containsExactly(new LinkKey("acme", "contact", "crm-a", "a_1"));
        assertThat(pairing.ownKeys()).containsExactly(new RecordKey("acme", "contact", "crm-a:a_1"));
        assertThat(pairing.plan().state().canonical().values()).containsEntry("firstName", "Ada");

        // the winner's values where they differ (even a later edit on the other side), as an update of a_1
        OutboundWrite toCrmA = write(pairing.plan(), "crm-a");
        assertThat(toCrmA.recordId()).isEqualTo("a_1");
        assertThat(toCrmA.fields()).isEqualTo(Map.of("email", "ada@example.com", "firstname", "Ada"));
        // the third system has no record with the key: created there, once, from the canonical fields
        OutboundWrite toCrmB = write(pairing.plan(), "crm-b");
        assertThat(toCrmB.recordId()).isNull();
        assertThat(toCrmB.externalId()).isEqualTo("app:c_1");
        assertThat(pairing.plan().writes()).extracting(w -> w.write().target().system())
                .as("never the winner itself").doesNotContain("app");
    }

    @Test
    void recordsThatAlreadyAgreeAreLinkedWithNoWriteBetweenThem() {
        Connection twoSystems = new Connection("acme", "contact", connection(BY_EMAIL).systems().subList(0, 2),
                new Ownership.LastWriteWins(), DeletePolicy.hold, Map.of(), BY_EMAIL);
        Change app = change("app", "c_1", T0, Map.of("email", "ada@example.com", "first", "Ada", "last", "Lovelace"));
        Change crmA = change("crm-a", "a_1", T0, Map.of("email", "ada@example.com", "firstname", "Ada",
                "lastname", "Lovelace"));
        MatchPlanner.Pairing pairing = MatchPlanner.pair(twoSystems, app, List.of(crmA),
                system -> Optional.ofNullable(MAPPINGS.get(system)), "loopfree-sync", T0);
        assertThat(pairing.plan().writes()).isEmpty();
        assertThat(pairing.links()).hasSize(1);
    }

    // ---- helpers

    private static MatchGroup.Entry entry(String system, String id) {
        return new MatchGroup.Entry(system, id);
    }

    private static FanOutPlanner.PlannedWrite planned(FanOutPlanner.Plan plan, String system) {
        return plan.writes().stream().filter(w -> w.write().target().system().equals(system)).findFirst().orElseThrow();
    }

    private static OutboundWrite write(FanOutPlanner.Plan plan, String system) {
        return planned(plan, system).write();
    }

    private static Connection connection(MatchRule rule) {
        List<ConnectionSystem> systems = List.of("app", "crm-a", "crm-b").stream()
                .map(s -> new ConnectionSystem(s, "acct-" + s,
                        new OutboundTarget("acme", s, "acct-" + s, "sandbox", null, Map.of()), Map.of()))
                .toList();
        return new Connection("acme", "contact", systems, new Ownership.LastWriteWins(), DeletePolicy.hold, Map.of(),
                rule);
    }

    /** A listed record: complete, no actor, its own id only (no canonical key yet). */
    private static Change change(String system, String recordId, Instant at, Map<String, ?> fields) {
        Map<String, Object> normalized = new LinkedHashMap<>();
        MAPPINGS.get(system).tracked().keySet().forEach(name -> normalized.put(name, fields.get(name)));
        return new Change("reconcile:" + system + ":" + recordId, system, "acme", "acct-" + system, "contact",
                recordId, null, at, Actor.UNKNOWN, null, false, false, false, FieldSet.of(normalized));
    }
}
