package io.loopfree.sync.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.loopfree.sync.local.DemoSystems;
import io.loopfree.sync.local.LocalEngine;
import io.loopfree.sync.local.sandbox.SandboxControl;
import io.loopfree.sync.local.sandbox.SandboxProvider;
import io.loopfree.sync.local.sandbox.SandboxRequest;
import io.loopfree.sync.local.sandbox.SandboxResponse;
import io.loopfree.sync.support.EmbeddedAws;
import io.loopfree.sync.support.SyncResources;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The seed scenarios where something fails, end to end on the local engine and the demo systems (see
 * {@link SyncScenariosIT}): the reconciler killed mid-run (5), an initial sync of a populated system (6), a system
 * answering 429 (7), a webhook the provider dropped, the processor killed between apply and write. The reconciler
 * has no timer here: each scenario invokes it as its schedule would, so that it can assert each run's outcome.
 * Each scenario asserts amplification, convergence, no loss, termination, and prints one line of figures.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RecoveryScenariosIT {

    /** Records of the initial sync; {@code -Dscenarios.initial-sync.records=1000} for the issue's figure. */
    static final int INITIAL_RECORDS = Integer.getInteger("scenarios.initial-sync.records", 100);
    static final ObjectMapper JSON = new ObjectMapper();

    static LocalEngine engine;
    static DemoSystems demo;
    static SqsClient sqs;
    static DynamoDbClient dynamo;

    @BeforeAll
    static void start() throws java.io.IOException {
        Path functionZip = Path.of(System.getProperty("function.zip", "target/function.zip"));
        // as SyncScenariosIT: two instances per function, a 2 s visibility (a redelivery in seconds); every job of
        // the demo connection; a short reconciler lease so that a run that died is taken over in seconds, not 15 min;
        // a short breaker backoff so that a failed probe costs seconds
        engine = LocalEngine.start(new LocalEngine.Settings(functionZip, 0, EmbeddedAws.freePort(),
                EmbeddedAws.freePort(), Duration.ZERO, Duration.ofSeconds(2), 5,
                new PrintStream(java.nio.file.Files.newOutputStream(Path.of("target", "recovery-scenarios-engine.log")),
                        true), 2, LocalEngine.PROCESSOR_TIMEOUT).withDemo(0)
                .withFunctionEnvironment(Map.of("SYNC_RECONCILER_JOBS", "*:*:contact",
                        "SYNC_RECONCILER_LEASE", "15s", "SYNC_VALVES_BACKOFF_BASE", "5s")));
        demo = engine.demo().orElseThrow();
        sqs = engine.aws().sqsClient();
        dynamo = engine.aws().dynamoClient();
    }

    @AfterEach
    void nothingDeadLettered() {
        demo.all().forEach(s -> s.intercept(null));
        Map<QueueAttributeName, String> dlq = sqs.getQueueAttributes(b -> b.queueUrl(engine.queues().dlqUrl())
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes();
        assertThat(dlq.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).as("messages in the DLQ").isEqualTo("0");
    }

    @AfterAll
    static void stop() {
        if (sqs != null) {
            sqs.close();
        }
        if (dynamo != null) {
            dynamo.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    /** Scenario 6: the first run lists every record of a populated system; no echo storm, nothing written back. */
    @Test
    @Order(1)
    void initialSyncOfAPopulatedSystemWritesEachRecordOnceAndNothingBack() {
        ScenarioRun s = run("initial-sync-" + INITIAL_RECORDS);
        // records that existed before the sync: their webhooks never reached us
        demo.sandbox(DemoSystems.RICH).control(SandboxControl.dropWebhooks(INITIAL_RECORDS));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < INITIAL_RECORDS; i++) {
            ids.add(demo.sandbox(DemoSystems.RICH).humanCreate("contact", Map.of("email", "initial" + i + "@example.com",
                    "firstname", "Initial", "lastname", "Number" + i)).path("id").asText());
        }
        s.awaitQuiet();
        s.assertWrites(DemoSystems.APP, 0);

        s.syncStartsNow();
        // a run that failed (on a loaded machine the cold reconciler's first SendMessageBatch can outlast its
        // timeout) keeps the watermark: the next run lists everything again, what was enqueued twice is a duplicate
        JsonNode first = await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
                .until(() -> job(reconcile("{}"), DemoSystems.RICH), j -> !j.path("status").asText().equals("failed"));
        assertThat(first.path("fullSync").asBoolean()).isTrue();
        assertThat(first.path("records").asLong()).isEqualTo(INITIAL_RECORDS);
        assertThat(first.path("status").asText()).isEqualTo("completed");
        s.awaitQuiet(Duration.ofSeconds(60 + 2L * INITIAL_RECORDS));

        s.assertWrites(DemoSystems.RICH, 0); // no echo storm: nothing written back to the source
        assertThat(s.writesPerRecord(DemoSystems.APP)).hasSize(INITIAL_RECORDS).allSatisfy((id, n) -> assertThat(n).isOne());
        assertThat(s.writesPerRecord(DemoSystems.SKINNY)).hasSize(INITIAL_RECORDS)
                .allSatisfy((id, n) -> assertThat(n).isOne());
        for (String id : ids) {
            s.assertConverged(DemoSystems.RICH, id);
        }

        // the next run lists the source and the records we created in the others again: nothing changed, no write
        JsonNode second = reconcile("{}");
        assertThat(second.path("jobs")).allSatisfy(j -> assertThat(j.path("status").asText()).isEqualTo("completed"));
        s.awaitQuiet(Duration.ofSeconds(60 + 2L * INITIAL_RECORDS));
        s.assertWrites(DemoSystems.RICH, 0);
        assertThat(s.writes()).isEqualTo(2 * INITIAL_RECORDS);
        s.finish(INITIAL_RECORDS);
    }

    /**
     * Scenario 5: the reconciler killed while it lists (its lease held, no checkpoint stored); the run after the
     * lease takes over from the watermark, stops at a checkpoint, and the next resumes there: every record applied
     * once, the ones listed twice dropped as duplicates, an edit made meanwhile not skipped.
     */
    @Test
    @Order(2)
    void watermarkRecoveryAfterTheReconcilerIsKilledMidRun() throws Exception {
        ScenarioRun s = run("watermark-recovery");
        SandboxProvider app = demo.sandbox(DemoSystems.APP);
        int records = 110; // more than one page (the sandbox profile lists 100 per page)
        app.control(SandboxControl.dropWebhooks(records));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            ids.add(s.humanCreate(DemoSystems.APP, Map.of("email", "wm" + i + "@example.com", "name", "Water Mark" + i))
                    .path("id").asText());
        }
        s.awaitQuiet();
        s.syncStartsNow();

        // run 1: killed (kill -9) when it asks for its second page: the first page is on the queue, no checkpoint
        int restarts = engine.restarts("reconciler");
        AtomicBoolean killed = new AtomicBoolean();
        app.intercept(request -> {
            if (engineList(request) && request.rawQuery().contains("cursor=") && killed.compareAndSet(false, true)) {
                killAll("reconciler");
                return SandboxResponse.error(503, "the caller is gone");
            }
            return null;
        });
        assertThatThrownBy(() -> engine.reconcile(jobDetail(DemoSystems.APP, "")))
                .as("the reconciler's runtime died under the run").isInstanceOf(RuntimeException.class);
        app.intercept(null);
        assertThat(killed).isTrue();
        await().atMost(Duration.ofSeconds(120)).until(() -> engine.restarts("reconciler") > restarts);
        Map<String, AttributeValue> held = watermark(DemoSystems.APP);
        assertThat(held.get("status").s()).isEqualTo("running");
        assertThat(held).containsKey("leaseOwner").doesNotContainKey("cursor");

        // while the dead run's lease lasts, runs are skipped; then one takes over from the watermark and, limited to
        // one page (as a spent time budget would), checkpoints
        Instant leaseUntil = Instant.parse(held.get("leaseUntil").s());
        List<JsonNode> attempts = new ArrayList<>();
        JsonNode takeover = job(await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .until(() -> reconcile(jobDetail(DemoSystems.APP, ",\"pageLimit\":1")), result -> {
                    attempts.add(result);
                    return !job(result, DemoSystems.APP).path("status").asText().equals("skipped");
                }), DemoSystems.APP);
        for (JsonNode attempt : attempts) {
            // by the run's own start: an invocation may wait for the new instance to pick it up
            if (Instant.parse(attempt.path("startedAt").asText()).plusSeconds(1).isBefore(leaseUntil)) {
                assertThat(job(attempt, DemoSystems.APP).path("status").asText())
                        .as("a run while the dead run's lease lasts").isEqualTo("skipped");
            }
        }
        assertThat(takeover.path("status").asText()).isEqualTo("running");
        assertThat(takeover.path("resumed").asBoolean()).isFalse();
        assertThat(watermark(DemoSystems.APP)).containsKey("cursor");

        // an edit while the job is checkpointed (its webhook lost too) of the oldest record the first page listed
        // (ours, or one an earlier scenario wrote there): it moves behind the cursor and must be listed again
        s.awaitQuiet();
        Instant since = Instant.parse(takeover.path("since").asText());
        JsonNode oldest = app.records("contact").stream()
                .filter(r -> !Instant.parse(r.path("updated_at").asText()).isBefore(since)).findFirst().orElseThrow();
        String canonical = oldest.path("loopfree_id").asText("");
        String editedHome = canonical.isEmpty() ? DemoSystems.APP : canonical.substring(0, canonical.indexOf(':'));
        String editedId = canonical.isEmpty() ? oldest.path("id").asText() : canonical.substring(canonical.indexOf(':') + 1);
        app.control(SandboxControl.dropWebhooks(1));
        s.humanEdit(DemoSystems.APP, oldest.path("id").asText(), Map.of("name", "Water Edited"));

        JsonNode resumed = job(reconcile(jobDetail(DemoSystems.APP, "")), DemoSystems.APP);
        assertThat(resumed.path("resumed").asBoolean()).isTrue();
        assertThat(resumed.path("status").asText()).isEqualTo("completed");
        s.awaitQuiet();

        s.assertWrites(DemoSystems.APP, 0);
        String editedCanonical = editedHome + ":" + editedId;
        for (String system : List.of(DemoSystems.RICH, DemoSystems.SKINNY)) {
            Map<String, Integer> perRecord = s.writesPerRecord(system);
            assertThat(perRecord.values().stream().mapToInt(Integer::intValue).sum()).as("writes to " + system)
                    .isEqualTo(records + 1);
            for (String id : ids) {
                String target = s.byExternalId(system, "app:" + id).path("id").asText();
                assertThat(perRecord.get(target)).as("writes of app:" + id + " to " + system)
                        .isEqualTo(editedCanonical.equals("app:" + id) ? 2 : 1);
            }
        }
        for (String id : ids) {
            s.assertConverged(DemoSystems.APP, id);
        }
        assertThat(s.assertConverged(editedHome, editedId).lastName()).as("the edit made while checkpointed")
                .isEqualTo("Edited");
        assertThat(s.dropped().getOrDefault("duplicate", 0)).as("the first page, listed twice").isPositive();
        s.finish(records + 1);
    }

    /**
     * Scenario 7: a system starts answering 429; its breaker opens, its writes wait in the outbox, its watermark
     * holds; after the reset the reconciler's run probes, the held writes are sent once each.
     */
    @Test
    @Order(3)
    void rateLimitDegradationHoldsTheWatermarkLosesNothingAndCompletesAfterTheReset() {
        ScenarioRun s = run("rate-limit");
        SandboxProvider skinny = demo.sandbox(DemoSystems.SKINNY);
        Optional<String> lastSuccessful = Optional.ofNullable(watermark(DemoSystems.SKINNY).get("lastSuccessful"))
                .map(AttributeValue::s);
        skinny.control(SandboxControl.fail429(10_000, 10));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(s.humanCreate(DemoSystems.APP, Map.of("email", "limited" + i + "@example.com",
                    "name", "Rate Limited" + i)).path("id").asText());
        }
        s.awaitQuiet();
        Map<String, AttributeValue> breaker = breaker(DemoSystems.SKINNY);
        assertThat(breaker.get("state").s()).isEqualTo("open");
        assertThat(breaker.get("reason").s()).isEqualTo("rate-limited");
        s.assertWrites(DemoSystems.RICH, 3);
        s.assertWrites(DemoSystems.SKINNY, 0);

        // while the breaker is open the reconciler does not list the account: its watermark holds
        JsonNode held = job(reconcile(jobDetail(DemoSystems.SKINNY, "")), DemoSystems.SKINNY);
        assertThat(held.path("status").asText()).isEqualTo("rate_limited");
        assertThat(Optional.ofNullable(watermark(DemoSystems.SKINNY).get("lastSuccessful")).map(AttributeValue::s))
                .isEqualTo(lastSuccessful);
        s.assertWrites(DemoSystems.SKINNY, 0);

        // the provider's window resets; once the breaker may probe, the next run lists and sends what was held
        skinny.control(SandboxControl.fail429(0, 0));
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> Instant.now()
                .isAfter(Instant.ofEpochSecond(Long.parseLong(breaker(DemoSystems.SKINNY).get("reopenAtEpoch").n()))));
        JsonNode after = job(reconcile(jobDetail(DemoSystems.SKINNY, "")), DemoSystems.SKINNY);
        assertThat(after.path("status").asText()).isEqualTo("completed");
        s.awaitQuiet();

        assertThat(Optional.ofNullable(breaker(DemoSystems.SKINNY).get("state")).map(AttributeValue::s)
                .orElse("closed")).isEqualTo("closed");
        s.assertWrites(DemoSystems.APP, 0);
        s.assertWrites(DemoSystems.RICH, 3);
        assertThat(s.writesPerRecord(DemoSystems.SKINNY)).hasSize(3).allSatisfy((id, n) -> assertThat(n).isOne());
        for (String id : ids) {
            s.assertConverged(DemoSystems.APP, id);
        }
        s.finish(3);
    }

    /** A webhook the provider never sent: the reconciler's next run lists the change, it travels once. */
    @Test
    @Order(4)
    void aDroppedWebhookIsHealedByTheReconcilersNextRun() {
        ScenarioRun s = run("dropped-webhook");
        String id = s.humanCreate(DemoSystems.RICH, Map.of("email", "dropped@example.com", "firstname", "Lost",
                "lastname", "Webhook")).path("id").asText();
        s.awaitQuiet();
        demo.sandbox(DemoSystems.RICH).control(SandboxControl.dropWebhooks(1));
        s.humanEdit(DemoSystems.RICH, id, Map.of("lastname", "Found"));
        s.awaitQuiet();
        assertThat(s.byExternalId(DemoSystems.APP, DemoSystems.RICH + ":" + id).path("name").asText())
                .as("nothing travelled without the webhook").isEqualTo("Lost Webhook");

        // the next run of the job whose webhook was lost (a run of every job also lists the other systems, and an
        // old listed version of a record processed after our newer write there costs one extra write: scenarios.md)
        s.syncStartsNow();
        JsonNode healed = job(reconcile(jobDetail(DemoSystems.RICH, "")), DemoSystems.RICH);
        assertThat(healed.path("status").asText()).isEqualTo("completed");
        s.awaitQuiet();

        assertThat(s.assertConverged(DemoSystems.RICH, id).lastName()).isEqualTo("Found");
        s.assertWrites(DemoSystems.RICH, 0);
        s.assertWrites(DemoSystems.APP, 2);
        s.assertWrites(DemoSystems.SKINNY, 2);
        s.finish(2);
    }

    /**
     * The processor killed (kill -9, every instance) after its apply transaction, at its first outbound call: the
     * redelivery takes the event over after its lease, finds the state applied and sends the pending writes; each
     * target is written exactly once.
     */
    @Test
    @Order(5)
    void theProcessorKilledBetweenApplyAndWriteConvergesWithOneWritePerTarget() {
        ScenarioRun s = run("killed-between-apply-and-write");
        int restarts = engine.restarts("processor");
        int instances = engine.pids("processor").size();
        AtomicInteger kills = new AtomicInteger();
        demo.sandbox(DemoSystems.RICH).intercept(request -> {
            if (engineWrite(request) && kills.compareAndSet(0, 1)) {
                killAll("processor");
                return SandboxResponse.error(503, "the caller is gone");
            }
            return null;
        });
        String id = s.humanCreate(DemoSystems.APP, Map.of("email", "crash@example.com", "name", "Crash Test"))
                .path("id").asText();
        await().atMost(Duration.ofSeconds(60)).until(() -> kills.get() == 1);
        await().atMost(Duration.ofSeconds(180)).until(() -> engine.restarts("processor") >= restarts + instances);
        s.awaitQuiet();

        s.assertConverged(DemoSystems.APP, id);
        s.assertWrites(DemoSystems.APP, 0);
        s.assertWrites(DemoSystems.RICH, 1);
        s.assertWrites(DemoSystems.SKINNY, 1);
        s.finish(1);
    }

    static ScenarioRun run(String name) {
        return new ScenarioRun(name, engine, sqs);
    }

    static JsonNode reconcile(String detail) {
        try {
            JsonNode result = JSON.readTree(engine.reconcile(detail));
            System.out.println("reconciler " + detail + " -> " + result);
            assertThat(result.has("error")).as("reconciler answer " + result).isFalse();
            return result;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The scheduled event's detail naming one demo job (account = system), {@code extra} appended. */
    static String jobDetail(String system, String extra) {
        return "{\"job\":{\"tenant\":\"" + DemoSystems.TENANT + "\",\"system\":\"" + system + "\",\"account\":\""
                + system + "\",\"resource\":\"contact\"}" + extra + "}";
    }

    static JsonNode job(JsonNode result, String system) {
        String label = DemoSystems.TENANT + "/" + system + "/" + system + "/contact";
        for (JsonNode job : result.path("jobs")) {
            if (label.equals(job.path("job").asText())) {
                return job;
            }
        }
        throw new AssertionError("no job " + label + " in " + result);
    }

    static Map<String, AttributeValue> watermark(String system) {
        return stateItem("WATERMARK#" + DemoSystems.TENANT + "#" + system + "#" + system + "#contact", "WATERMARK");
    }

    static Map<String, AttributeValue> breaker(String system) {
        return stateItem("BREAKER#" + DemoSystems.TENANT + "#" + system + "#" + system, "BREAKER");
    }

    private static Map<String, AttributeValue> stateItem(String pk, String sk) {
        return dynamo.getItem(b -> b.tableName(SyncResources.STATE_TABLE).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS(sk)))).item();
    }

    private static boolean engineRequest(SandboxRequest request) {
        return request.header("authorization").isPresent() && request.path().startsWith("/api/contact");
    }

    static boolean engineList(SandboxRequest request) {
        return engineRequest(request) && request.method().equals("GET") && request.path().equals("/api/contact");
    }

    static boolean engineWrite(SandboxRequest request) {
        return engineRequest(request) && !request.method().equals("GET");
    }

    /** kill -9 of every instance of a function, waiting until they are gone (the engine starts new ones). */
    static void killAll(String function) {
        for (long pid : engine.pids(function)) {
            ProcessHandle.of(pid).ifPresent(process -> {
                process.destroyForcibly();
                try {
                    process.onExit().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException("instance " + pid + " of " + function + " did not die", e);
                }
            });
        }
    }
}
