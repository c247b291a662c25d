package io.loopfree.sync.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.loopfree.sync.adapters.dynamodb.ConnectionSeeds;
import io.loopfree.sync.local.sandbox.SandboxConfig;
import io.loopfree.sync.local.sandbox.SandboxProvider;
import io.loopfree.sync.support.Fixtures;
import io.loopfree.sync.support.FunctionTestSupport;
import io.loopfree.sync.support.Profiles;
import io.loopfree.sync.support.SyncResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The reconciler over its recorded EventBridge events (functions/reconciler/events): tenant {@code acme}'s contact
 * connection has one listable system, {@code app} (a sandbox with 150 contacts, two pages); the deployment's filter
 * ({@code sync.reconciler.jobs=app:acme:contact}) keeps the run to it.
 */
@QuarkusTest
@TestProfile(ReconcilerFunctionTest.AcmeApp.class)
class ReconcilerFunctionTest extends FunctionTestSupport {

    /** The sandbox's engine token as acme's outbound token for the app. */
    public static class AcmeApp extends Profiles.Reconciler {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new java.util.HashMap<>(super.getConfigOverrides());
            config.put("webhook-secrets.app.acme.outbound-token", "engine-token");
            return config;
        }
    }

    private static SandboxProvider app;

    @BeforeAll
    static void seed() {
        app = SandboxProvider.start(SandboxConfig.of("app", "acme").withAccount("acme"));
        for (int i = 0; i < 150; i++) {
            app.humanCreate("contact", Map.of("email", "p" + i + "@example.com", "name", "Person " + i));
        }
        String connection = """
                [{"tenant": "acme", "resource": "contact", "ownership": {"rule": "last-write-wins"},
                  "systems": [{"system": "app", "account": "acme", "profile": "sandbox",
                               "params": {"baseUrl": "%s"}}]}]""".formatted(app.baseUrl().toString().replaceAll("/$", ""));
        try (DynamoDbClient dynamo = dynamo()) {
            ConnectionSeeds.seed(dynamo, SyncResources.STATE_TABLE,
                    new ByteArrayInputStream(connection.getBytes(StandardCharsets.UTF_8)));
        }
    }

    @AfterAll
    static void stop() {
        app.close();
        try (DynamoDbClient dynamo = dynamo()) { // the connection is this test's alone
            dynamo.deleteItem(b -> b.tableName(SyncResources.STATE_TABLE).key(Map.of(
                    "pk", AttributeValue.fromS("CONNECTIONS"), "sk", AttributeValue.fromS("acme#contact"))));
        }
    }

    @Test
    void scheduledRunsListTheJobsOfTheConnectionsAndAdvanceTheWatermarkToTheirStart() {
        JsonPath first = invoke(Fixtures.event("reconciler", "scheduled-event.json"));
        assertThat(first.getString("scheduledEventId")).isEqualTo("53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa");
        assertThat(first.getList("jobs")).hasSize(1);
        assertThat(first.getString("jobs[0].job")).isEqualTo("acme/app/acme/contact");
        assertThat(first.getString("jobs[0].status")).isEqualTo("completed");
        assertThat(first.getBoolean("jobs[0].fullSync")).isTrue();
        assertThat(first.getLong("jobs[0].records")).isEqualTo(150);
        assertThat(first.getString("jobs[0].lastSuccessful")).isEqualTo(Fixtures.REPLAYED_AT.toString());

        Map<String, AttributeValue> item = watermarkItem();
        assertThat(item.get("type").s()).isEqualTo("WATERMARK");
        assertThat(item.get("lastSuccessful").s()).isEqualTo("2026-11-20T10:00:30.000Z");
        assertThat(item.get("status").s()).isEqualTo("completed");
        assertThat(item).as("watermarks never expire").doesNotContainKey(SyncResources.TTL_ATTRIBUTE);
        drain(config("sync.queue-url"), Duration.ZERO);

        JsonPath second = invoke(Fixtures.event("reconciler", "scheduled-event-one-tenant.json"));
        assertThat(second.getString("jobs[0].since")).isEqualTo(Fixtures.REPLAYED_AT.minusSeconds(120).toString());
        assertThat(second.getBoolean("jobs[0].fullSync")).isFalse();

        JsonPath onePage = invoke(Fixtures.event("reconciler", "scheduled-event-one-job.json"));
        assertThat(onePage.getString("jobs[0].status")).isEqualTo("running");
        assertThat(onePage.getLong("jobs[0].records")).isEqualTo(100);
        JsonPath forced = invoke(Fixtures.event("reconciler", "force-full-resync.json"));
        assertThat(forced.getString("jobs[0].status")).isEqualTo("completed");
        assertThat(forced.getBoolean("jobs[0].fullSync")).isTrue();
        assertThat(forced.getBoolean("jobs[0].resumed")).as("the checkpoint is ignored").isFalse();
        assertThat(forced.getLong("jobs[0].records")).isEqualTo(150);
        assertThat(watermarkItem().get("runs").n()).isEqualTo("4");
        drain(config("sync.queue-url"), Duration.ZERO);

        // an operator's request: the job's next plain scheduled run is a full resync, which clears it
        java.io.StringWriter out = new java.io.StringWriter();
        int exit = io.loopfree.sync.ops.LoopfreeOps.run(java.time.Clock.systemUTC(), new java.io.PrintWriter(out, true),
                new java.io.PrintWriter(out, true), "--dynamodb-endpoint", config("quarkus.dynamodb.endpoint-override"),
                "--region", "us-east-1", "--as", "test-operator", "resync", "acme/app/acme/contact", "--why", "test");
        assertThat(exit).as(out.toString()).isZero();
        assertThat(watermarkItem().get("resyncRequested").bool()).isTrue();
        JsonPath asked;
        List<com.fasterxml.jackson.databind.JsonNode> runs;
        List<com.fasterxml.jackson.databind.JsonNode> staleness;
        List<com.fasterxml.jackson.databind.JsonNode> duration;
        try (io.loopfree.sync.support.LogCapture logs = io.loopfree.sync.support.LogCapture.start()) {
            asked = invoke(Fixtures.event("reconciler", "scheduled-event.json"));
            runs = logs.emf("ReconciliationRuns");
            staleness = logs.emf("WatermarkStaleness");
            duration = logs.emf("ReconciliationDuration");
        }
        assertThat(asked.getBoolean("jobs[0].fullSync")).isTrue();
        assertThat(asked.getLong("jobs[0].records")).isEqualTo(150);
        assertThat(watermarkItem()).doesNotContainKeys("resyncRequested", "resyncRequestedAt");
        drain(config("sync.queue-url"), Duration.ZERO);
        // the run's EMF lines: its status, how stale the watermark is after it, how long it took
        assertThat(runs).singleElement().satisfies(d -> {
            assertThat(d.path("status").asText()).isEqualTo("completed");
            assertThat(d.path("job").asText()).isEqualTo("acme/app/acme/contact");
        });
        assertThat(staleness).singleElement().satisfies(d -> {
            assertThat(d.path("_aws").path("CloudWatchMetrics").path(0).path("Metrics").path(0).path("Unit").asText())
                    .isEqualTo("Seconds");
            assertThat(d.path("WatermarkStaleness").asDouble()).isGreaterThanOrEqualTo(0);
        });
        assertThat(duration).hasSize(1);
    }

    private static Map<String, AttributeValue> watermarkItem() {
        try (DynamoDbClient dynamo = dynamo()) {
            return dynamo.getItem(b -> b.tableName(SyncResources.STATE_TABLE).consistentRead(true)
                    .key(Map.of("pk", AttributeValue.fromS("WATERMARK#acme#app#acme#contact"),
                            "sk", AttributeValue.fromS("WATERMARK")))).item();
        }
    }
}
