package io.loopfree.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.domain.change.Actor;
import io.loopfree.sync.domain.change.Change;
import io.loopfree.sync.domain.change.FieldSet;
import io.loopfree.sync.domain.echo.EchoRules;
import io.loopfree.sync.domain.echo.Identities;
import io.loopfree.sync.domain.marker.MarkedWrite;
import io.loopfree.sync.domain.marker.Marker;
import io.loopfree.sync.domain.marker.MarkerKey;
import io.loopfree.sync.domain.state.RecordKey;
import io.loopfree.sync.domain.state.RecordState;
import io.loopfree.sync.domain.state.StateRules;
import io.loopfree.sync.domain.state.SystemState;

/** The pure layers: echo by actor / change agent, marker matching, no-change, staleness, the next state. */
class EchoAndStateRulesTest {

    static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
    static final Identities OURS = new Identities(Map.of("hubspot", List.of("987654"),
            "github.acme", List.of("loopfree-sync[bot]")));
    static final RecordKey KEY = new RecordKey("acme", "contact", "hubspot:42");

    @Test
    void ourIntegrationIdentityIsAnEchoAndOtherIntegrationsAreNot() {
        assertThat(EchoRules.echoReason(change("hubspot", "acme", new Actor(Actor.Kind.integration, "987654"), null),
                OURS, "loopfree-sync")).contains(EchoRules.ECHO_ACTOR);
        assertThat(EchoRules.echoReason(change("hubspot", "acme", new Actor(Actor.Kind.integration, "1122334"), null),
                OURS, "loopfree-sync")).isEmpty();
        assertThat(EchoRules.echoReason(change("hubspot", "acme", Actor.UNKNOWN, null), OURS, "loopfree-sync")).isEmpty();
    }

    @Test
    void anIdentityConfiguredForOneAccountHoldsOnlyThere() {
        Actor bot = new Actor(Actor.Kind.integration, "loopfree-sync[bot]");
        assertThat(EchoRules.echoReason(change("github", "acme", bot, null), OURS, "x")).contains(EchoRules.ECHO_ACTOR);
        assertThat(EchoRules.echoReason(change("github", "other-org", bot, null), OURS, "x")).isEmpty();
    }

    @Test
    void ourChangeAgentTagIsAnEcho() {
        assertThat(EchoRules.echoReason(change("salesforce", "acme", Actor.UNKNOWN, "loopfree-sync"), OURS, "loopfree-sync"))
                .contains(EchoRules.ECHO_AGENT);
        assertThat(EchoRules.echoReason(change("salesforce", "acme", Actor.UNKNOWN, "SfdcInternalAPI/"), OURS,
                "loopfree-sync")).isEmpty();
    }

    @Test
    void aMarkerMatchesTheFieldsWeWroteOrAnySkinnyChange() {
        FieldSet after = FieldSet.of(Map.of("email", "a@example.com", "name", "Ada"));
        MarkedWrite write = new MarkedWrite("t", after.hash(), FieldSet.of(Map.of("name", "Ada")), "app:1", T0,
                T0.plusSeconds(300));
        Marker marker = new Marker(new MarkerKey("acme", "hubspot", "contact", "app:42"), List.of(write));
        assertThat(write.liveAt(T0.plusSeconds(299))).isTrue();
        assertThat(write.liveAt(T0.plusSeconds(300))).isFalse();
        Change complete = change(T0, after.values(), false);
        assertThat(marker.echoOf(complete, after, T0)).contains(write);
        FieldSet edited = FieldSet.of(Map.of("email", "b@example.com", "name", "Ada"));
        assertThat(marker.echoOf(change(T0, edited.values(), false), edited, T0)).as("a person's edit inside the window")
                .isEmpty();
        assertThat(marker.echoOf(change(T0, Map.of("name", "Ada"), true), after, T0)).as("one property we wrote")
                .contains(write);
        assertThat(marker.echoOf(change(T0, Map.of("email", "a@example.com"), true), after, T0))
                .as("a property we did not write").isEmpty();
        assertThat(marker.echoOf(complete, after, T0.plusSeconds(300))).as("expired").isEmpty();
    }

    @Test
    void theFirstChangeOfARecordIsApplied() {
        Change change = change(T0, Map.of("email", "a@example.com"), false);
        StateRules.Decision decision = StateRules.decide(change, RecordState.absent(KEY), T0);
        assertThat(decision).isInstanceOf(StateRules.Apply.class);
        RecordState next = ((StateRules.Apply) decision).next();
        assertThat(next.version()).isEqualTo(1);
        SystemState state = next.system("hubspot").orElseThrow();
        assertThat(state.fieldHash()).isEqualTo(change.fields().hash());
        assertThat(state.correlationId()).isEqualTo("hubspot:evt");
        assertThat(state.direction()).isEqualTo("inbound");
        assertThat(state.actorKind()).isEqualTo("human");
    }

    @Test
    void theSameFieldsAreNoChangeAndAnOlderChangeIsStale() {
        RecordState applied = apply(change(T0, Map.of("email", "a@example.com", "name", "Ada"), false));
        assertThat(StateRules.decide(change(T0.plusSeconds(5), Map.of("email", "a@example.com", "name", "Ada"), false),
                applied, T0)).isEqualTo(new StateRules.Drop(StateRules.NO_CHANGE));
        assertThat(StateRules.decide(change(T0.minusSeconds(5), Map.of("email", "old@example.com", "name", "Ada"), false),
                applied, T0)).isEqualTo(new StateRules.Drop(StateRules.STALE));
        assertThat(StateRules.decide(change(T0, Map.of("email", "same-time@example.com", "name", "Ada"), false),
                applied, T0)).as("same instant, other fields: not older").isInstanceOf(StateRules.Apply.class);
    }

    @Test
    void aPartialChangeIsComparedAfterLandingOnTheKnownFields() {
        RecordState applied = apply(change(T0, Map.of("email", "a@example.com", "name", "Ada"), false));
        assertThat(StateRules.decide(change(T0.plusSeconds(1), Map.of("name", "Ada"), true), applied, T0))
                .isEqualTo(new StateRules.Drop(StateRules.NO_CHANGE));
        StateRules.Decision renamed = StateRules.decide(change(T0.plusSeconds(1), Map.of("name", "Augusta"), true), applied, T0);
        assertThat(((StateRules.Apply) renamed).next().system("hubspot").orElseThrow().fields().values())
                .containsOnly(Map.entry("email", "a@example.com"), Map.entry("name", "Augusta"));
    }

    @Test
    void aDeletionWithTheSameFieldsIsStillAChange() {
        RecordState applied = apply(change(T0, Map.of("email", "a@example.com"), false));
        Change deletion = new Change("evt-d", "hubspot", "acme", "acme", "contact", "42", "hubspot:42", T0.plusSeconds(1),
                Actor.UNKNOWN, null, true, false, true, FieldSet.EMPTY);
        assertThat(StateRules.decide(deletion, applied, T0)).isInstanceOf(StateRules.Apply.class);
    }

    private static RecordState apply(Change change) {
        return ((StateRules.Apply) StateRules.decide(change, RecordState.absent(KEY), T0)).next();
    }

    private static Change change(Instant occurredAt, Map<String, Object> fields, boolean partial) {
        return new Change("evt", "hubspot", "acme", "acme", "contact", "42", "hubspot:42", occurredAt,
                new Actor(Actor.Kind.human, "u"), null, false, false, partial, FieldSet.of(fields));
    }

    private static Change change(String system, String account, Actor actor, String agent) {
        return new Change("evt", system, "acme", account, "contact", "42", system + ":42", T0, actor, agent, false,
                false, false, FieldSet.EMPTY);
    }
}
