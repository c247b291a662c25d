package io.loopfree.sync.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.loopfree.sync.local.DemoSystems;
import io.loopfree.sync.local.LocalEngine;
import io.loopfree.sync.local.sandbox.SandboxControl;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Salesforce in real time (issue 18), end to end on the local engine: a Salesforce-like system
 * ({@link DemoSystems#SALESFORCE}: its changes go out as Change Data Capture events through the engine's event bus
 * and the relay function) and the app. No reconciler schedule: what reaches the app in the first scenario came by
 * the relay; the second pauses the relay (its events dropped) and lets the reconciler's listing, the safety net,
 * heal it. Each scenario has a tenant (and an org) of its own and prints its figures line ({@link ScenarioRun}).
 */
class SalesforceRelayScenariosIT {

    static final String REAL_TIME = "sf-realtime";
    static final String PAUSED = "sf-paused";
    static final String PAUSED_ORG = "00D5e000000PaUsEAK";

    static LocalEngine engine;
    static SqsClient sqs;
    static URI eventBus;

    @BeforeAll
    static void start() {
        Map<String, String> environment = new LinkedHashMap<>();
        List.of(REAL_TIME, PAUSED).forEach(tenant -> environment.putAll(DemoSystems.environment(tenant)));
        // as a deployment's SalesforceOrgTenants: which tenant each org's relayed events belong to
        environment.put("SYNC_RELAY_TENANTS", DemoSystems.SALESFORCE_ORG + "=" + REAL_TIME + "," + PAUSED_ORG + "="
                + PAUSED);
        environment.put("SYNC_RECONCILER_JOBS", DemoSystems.SALESFORCE + ":*:contact");
        // the scenario settings with one instance per function (a loaded machine)
        engine = LocalEngine.start(LocalEngine.Settings.forScenarios(1).withFunctionEnvironment(environment));
        sqs = engine.aws().sqsClient();
        eventBus = engine.startRelay();
    }

    @AfterAll
    static void stop() {
        if (sqs != null) {
            sqs.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    private static DemoSystems systems(String tenant, String org) {
        return engine.startSystems(DemoSystems.Spec.tenant(tenant).withSystems(DemoSystems.APP, DemoSystems.SALESFORCE)
                .adjust(DemoSystems.SALESFORCE, c -> c.withWebhookUrl(eventBus.toString()).withAccount(org)));
    }

    /**
     * People create and edit contacts in Salesforce; each change reaches the app through the relay, once; our writes
     * back (none here: the app is the only other system, and its echo of our write dies) cause no second write.
     */
    @Test
    void aSalesforceEditReachesTheAppInRealTimeThroughTheRelay() {
        DemoSystems systems = systems(REAL_TIME, DemoSystems.SALESFORCE_ORG);
        ScenarioRun run = new ScenarioRun("salesforce-relay-real-time", engine, systems, sqs);
        int contacts = 5;
        for (int i = 0; i < contacts; i++) {
            JsonNode created = run.humanCreate(DemoSystems.SALESFORCE, Map.of("Email", "ada" + i + "@example.com",
                    "FirstName", "Ada", "LastName", "Lovelace " + i, "Phone", "+44 20 7946 00" + i));
            run.awaitQuiet();
            run.humanEdit(DemoSystems.SALESFORCE, created.path("id").asText(), Map.of("LastName", "Byron " + i));
            run.awaitQuiet();
            assertThat(run.assertConverged(DemoSystems.SALESFORCE, created.path("id").asText()).lastName())
                    .isEqualTo("Byron " + i);
        }
        String figures = run.finish(2 * contacts);
        assertThat(run.writes(DemoSystems.APP)).as("one write per change").isEqualTo(2 * contacts);
        assertThat(run.writes(DemoSystems.SALESFORCE)).as("nothing written back").isZero();
        assertThat(run.duplicatesCreated()).isZero();
        assertThat(run.doubleSends()).isZero();
        assertThat(figures).contains("amplification=0.50");
    }

    /**
     * The relay pauses (Salesforce stops relaying: the event of an edit is lost); nothing reaches the app until the
     * reconciler's SOQL-like listing, the safety net, runs: then the edit travels once.
     */
    @Test
    void aRelayPauseIsHealedByThePollingSafetyNet() throws Exception {
        DemoSystems systems = systems(PAUSED, PAUSED_ORG);
        ScenarioRun run = new ScenarioRun("salesforce-relay-paused-healed-by-listing", engine, systems, sqs);
        String id = run.humanCreate(DemoSystems.SALESFORCE, Map.of("Email", "grace@example.com", "FirstName",
                "Grace", "LastName", "Hopper")).path("id").asText();
        run.awaitQuiet();
        systems.sandbox(DemoSystems.SALESFORCE).control(SandboxControl.dropWebhooks(1));
        run.humanEdit(DemoSystems.SALESFORCE, id, Map.of("LastName", "Brewster Hopper"));
        run.awaitQuiet();
        assertThat(run.byExternalId(DemoSystems.APP, DemoSystems.SALESFORCE + ":" + id).path("name").asText())
                .as("nothing travelled while the relay was paused").isEqualTo("Grace Hopper");

        run.syncStartsNow();
        String result = engine.reconcile(new ObjectMapper().createObjectNode().set("job", new ObjectMapper()
                .createObjectNode().put("tenant", PAUSED).put("system", DemoSystems.SALESFORCE).put("account", PAUSED_ORG)
                .put("resource", "contact")).toString());
        assertThat(new ObjectMapper().readTree(result).path("jobs").path(0).path("status").asText())
                .as(result).isEqualTo("completed");
        run.awaitQuiet();

        assertThat(run.assertConverged(DemoSystems.SALESFORCE, id).lastName()).isEqualTo("Brewster Hopper");
        run.assertWrites(DemoSystems.APP, 2);
        run.assertWrites(DemoSystems.SALESFORCE, 0);
        run.finish(2);
    }
}
