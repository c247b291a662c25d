package io.loopfree.sync.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.loopfree.sync.domain.valve.AccountKey;
import io.loopfree.sync.ops.LoopfreeOps;
import io.loopfree.sync.support.Fixtures;
import io.loopfree.sync.support.FunctionTestSupport;
import io.loopfree.sync.support.LogCapture;
import io.loopfree.sync.support.SyncResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * docs/RUNBOOK.md walked on the in-process stack, step by step with the runbook's own commands ({@code loopfree-ops}
 * against the test's DynamoDB Local): three live sandbox systems, their webhooks through the processor function.
 * The deliberately broken setup: the HubSpot-like sandbox rewrites every record we write and sends it back as a
 * person's edit with a changed field (what a profile that lost its change-agent tag, plus a field the provider
 * rewrites, looks like: no layer can call it an echo). The loop detector trips, the operator confirms, pauses, reads
 * the history, fixes, resets and resumes, and a real change then converges with one write per target.
 */
@QuarkusTest
@TestProfile(SafetyValvesTest.Valves.class)
class RunbookWalkTest extends FunctionTestSupport {

    static final String TENANT = "runbook";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SandboxWorld world;

    @AfterEach
    void stop() {
        if (world != null) {
            world.close();
        }
    }

    record Ops(int exit, String out) {
    }

    /** {@code bin/loopfree-ops <args>}, pointed at the local DynamoDB as the runbook's local-run line says. */
    private static Ops ops(String... args) {
        List<String> all = new ArrayList<>(List.of("--dynamodb-endpoint", config("quarkus.dynamodb.endpoint-override"),
                "--region", "us-east-1", "--state-table", SyncResources.STATE_TABLE, "--events-table",
                SyncResources.EVENTS_TABLE, "--as", "oncall"));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        // the operator's clock is the engine's (tests: the fixtures' time), so "the last hour" holds the loop
        int exit = LoopfreeOps.run(Clock.fixed(Fixtures.REPLAYED_AT.plusSeconds(60), ZoneOffset.UTC),
                new PrintWriter(out, true), new PrintWriter(out, true),
                all.toArray(String[]::new));
        return new Ops(exit, out.toString());
    }

    private List<String> process(List<SandboxWorld.Delivery> deliveries) {
        List<String> failures = new ArrayList<>();
        for (SandboxWorld.Delivery delivery : deliveries) {
            failures.addAll(SandboxWorld.process(FunctionTestSupport::invoke, delivery));
        }
        return failures;
    }

    @Test
    void aBrokenSetupLoopsTheDetectorTripsTheOperatorPausesReadsTheHistoryFixesAndResumesAndItConverges() throws Exception {
        world = new SandboxWorld(TENANT, c -> c);
        try (DynamoDbClient dynamo = dynamo()) {
            world.seedConnection(dynamo, SyncResources.STATE_TABLE, c -> c);
        }
        world.app.humanCreate("contact", Map.of("email", "ada@example.com", "name", "Ada Lovelace"));
        assertThat(world.pump(FunctionTestSupport::invoke)).as("a healthy start").isEmpty();
        String richId = world.only(SandboxWorld.RICH).path("id").asText();
        AccountKey app = new AccountKey(TENANT, SandboxWorld.APP, SandboxWorld.APP);

        // the broken setup: each of our writes comes back from sandbox-rich as a person's edit with a new value
        List<JsonNode> trips;
        int rounds = 0;
        try (LogCapture logs = LogCapture.start()) {
            for (; rounds < 40 && !breakerOpen(app); rounds++) {
                world.rich.humanEdit("contact", richId, Map.of("firstname", "Ada" + rounds));
                assertThat(process(world.take())).isEmpty();
            }
            trips = logs.emf("LoopDetectorTrips");
        }
        // 1. confirm the loop: the alarm's metric, the rates, the breaker
        assertThat(breakerOpen(app)).as("the detector tripped within %d rounds", rounds).isTrue();
        AccountKey skinny = new AccountKey(TENANT, SandboxWorld.SKINNY, SandboxWorld.SKINNY);
        assertThat(trips).as("the loop-detector-trips alarm's datapoints: every account we kept writing to")
                .extracting(d -> d.path("account").asText()).containsExactlyInAnyOrder(app.label(), skinny.label());
        Ops rates = ops("rates", "--last", "1h");
        assertThat(rates.exit()).as(rates.out()).isZero();
        assertThat(rates.out()).containsPattern("sandbox-rich/" + TENANT + " +\\d+ +\\d+ +[1-9]\\d* ");
        Ops shown = ops("breaker", "show", TENANT, "app", "app");
        assertThat(shown.out()).containsPattern("state +open").containsPattern("reason +loop-suspected");

        // 2. stop the bleeding
        for (String system : List.of(SandboxWorld.APP, SandboxWorld.SKINNY)) {
            Ops paused = ops("pause", TENANT, system, system, "--why", "loop on contact sandbox-rich:" + richId + ", INC-1");
            assertThat(paused.exit()).as(paused.out()).isZero();
        }

        // 3. assess the damage: the record's history says who set what, and the writes that wait
        Ops history = ops("record", "history", TENANT, "contact", "sandbox-rich:" + richId);
        assertThat(history.exit()).as(history.out()).isZero();
        JsonNode report = JSON.readTree(history.out());
        assertThat(report.path("state").path("systems").path("sandbox-rich").path("direction").asText())
                .as("the last change came in from sandbox-rich").isEqualTo("inbound");
        assertThat(report.path("lastEvents").path("sandbox-rich").path("outcome").asText())
                .as("4. root cause: the echo passed every layer").isEqualTo("applied");

        // 5. the fix: sandbox-rich stops sending our writes back as edits (the profile is repaired); validate
        long writesBefore = world.engineWrites(SandboxWorld.APP).size();
        assertThat(process(world.take())).isEmpty();
        assertThat(world.engineWrites(SandboxWorld.APP)).as("paused: nothing reaches the app").hasSize((int) writesBefore);
        long skinnyBefore = world.engineWrites(SandboxWorld.SKINNY).size();

        // 6. resume: close the breaker the detector opened, lift the pause
        for (String system : List.of(SandboxWorld.APP, SandboxWorld.SKINNY)) {
            // this test's profile makes the detector's window 3650d (one window for the whole test)
            Ops reset = ops("breaker", "reset", TENANT, system, system, "--why", "profile fixed, INC-1",
                    "--loop-window", "3650d");
            assertThat(reset.exit()).as(reset.out()).isZero();
            Ops resumed = ops("resume", TENANT, system, system, "--why", "profile fixed, INC-1");
            assertThat(resumed.exit()).as(resumed.out()).isZero();
        }

        // a real change: applied once, the held write and the new one reach the app, every echo dies, quiet after
        world.rich.humanEdit("contact", richId, Map.of("firstname", "Augusta"));
        assertThat(world.pump(FunctionTestSupport::invoke)).as("converges: no loop").isEmpty();
        assertThat(world.only(SandboxWorld.APP).toString()).contains("Augusta");
        assertThat(world.only(SandboxWorld.SKINNY).toString()).contains("Augusta");
        assertThat(world.engineWrites(SandboxWorld.APP).size() - writesBefore).as("one write for the change")
                .isEqualTo(1);
        assertThat(world.engineWrites(SandboxWorld.SKINNY).size() - skinnyBefore).isEqualTo(1);
        for (String system : List.of(SandboxWorld.APP, SandboxWorld.SKINNY)) {
            assertThat(ops("breaker", "show", TENANT, system, system).out()).containsPattern("state +closed")
                    .containsPattern("paused +false");
        }
        assertThat(audits()).extracting(a -> a.get("action").s()).containsExactlyInAnyOrder("pause", "pause",
                "breaker reset", "breaker reset", "resume", "resume");
    }

    private static boolean breakerOpen(AccountKey account) {
        try (DynamoDbClient dynamo = dynamo()) {
            Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(SyncResources.STATE_TABLE)
                    .consistentRead(true).key(Map.of("pk", AttributeValue.fromS("BREAKER#" + account.label()),
                            "sk", AttributeValue.fromS("BREAKER")))).item();
            return item != null && item.containsKey("state") && "open".equals(item.get("state").s());
        }
    }

    private static List<Map<String, AttributeValue>> audits() {
        try (DynamoDbClient dynamo = dynamo()) {
            return dynamo.scan(b -> b.tableName(SyncResources.STATE_TABLE).filterExpression("begins_with(pk, :a)")
                    .expressionAttributeValues(Map.of(":a", AttributeValue.fromS("AUDIT#")))).items().stream()
                    .filter(a -> a.get("target").s().contains("#" + TENANT + "#")).toList();
        }
    }
}
