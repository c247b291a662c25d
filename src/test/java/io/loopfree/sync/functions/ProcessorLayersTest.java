package io.loopfree.sync.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.loopfree.sync.domain.envelope.EnvelopeCodec;
import io.loopfree.sync.app.Outcome;
import io.loopfree.sync.app.ProcessingException;
import io.loopfree.sync.app.ProcessingMetrics;
import io.loopfree.sync.app.ProcessorService;
import io.loopfree.sync.domain.change.Change;
import io.loopfree.sync.domain.change.ChangeMapping;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.domain.marker.MarkedWrite;
import io.loopfree.sync.domain.marker.Marker;
import io.loopfree.sync.domain.marker.MarkerKey;
import io.loopfree.sync.ports.MappingRepository;
import io.loopfree.sync.ports.MarkerStore;
import io.loopfree.sync.support.Fixtures;
import io.loopfree.sync.support.SqsEvents;
import io.loopfree.sync.support.FunctionTestSupport;
import io.loopfree.sync.support.Profiles;
import io.loopfree.sync.support.SyncResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Every layer of the processor over recorded fixtures (functions/processor/events/scenario-*.json), through the
 * Lambda runtime API against DynamoDB Local and ElasticMQ: each event ends applied or dropped with its reason, or
 * fails and is retried.
 */
@QuarkusTest
@TestProfile(ProcessorLayersTest.WithOurIdentities.class)
class ProcessorLayersTest extends FunctionTestSupport {

    /**
     * The processor with our HubSpot app id configured as our integration identity, and a dedup TTL long enough
     * that DynamoDB Local's TTL sweeper (which runs on the wall clock, while the application's clock stands at
     * {@link Fixtures#REPLAYED_AT}) cannot delete the items these tests read back.
     */
    public static class WithOurIdentities extends Profiles.Processor {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("sync.identities.hubspot", "987654");
            config.put("sync.dedup.ttl", "3650d");
            return config;
        }
    }

    /** Live for the application's clock, and far enough ahead that DynamoDB Local's sweeper leaves it alone. */
    private static final Duration LIVE_MARKER = Duration.ofDays(3650);

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ProcessingMetrics metrics;

    @Inject
    ProcessorService processor;

    @Inject
    MarkerStore markers;

    @Inject
    MappingRepository mappings;

    @AfterEach
    void noInjectedFailures() {
        FailureInjectingLedger.FAIL_APPLY_FOR_EVENT_IDS.clear();
    }

    @Test
    void theSameEventDeliveredThreeTimesIsAppliedOnce() {
        long applied = metrics.count("applied");
        long duplicates = metrics.count("dropped:duplicate");
        for (int i = 0; i < 3; i++) {
            assertThat(invoke(fixture("scenario-duplicate.json")).getList("batchItemFailures")).isEmpty();
        }
        assertThat(metrics.count("applied")).isEqualTo(applied + 1);
        assertThat(metrics.count("dropped:duplicate")).isEqualTo(duplicates + 2);
        assertThat(eventItem("EVENT#app#acme#msg_dup_01").get("outcome").s()).isEqualTo("applied");
        assertThat(stateItem("RECORD#acme#contact#app:c_dup").get("version").n()).isEqualTo("1");
    }

    @Test
    void theSameEventFromTwoThreadsAtOnceIsAppliedOnceAndNeverLost() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 10; round++) {
                Envelope envelope = envelopes(fixture("scenario-duplicate.json"), "msg_dup_01", "msg_dup_race_" + round,
                        "c_dup", "c_dup_race_" + round).get(0);
                CountDownLatch start = new CountDownLatch(1);
                Callable<String> deliver = () -> {
                    start.await();
                    try {
                        return processor.process(envelope).outcome().label();
                    } catch (ProcessingException e) {
                        return "failed:" + e.causeLabel();
                    }
                };
                List<Future<String>> results = new ArrayList<>(List.of(pool.submit(deliver), pool.submit(deliver)));
                start.countDown();
                List<String> outcomes = new ArrayList<>();
                for (Future<String> result : results) {
                    outcomes.add(result.get());
                }
                assertThat(outcomes).as("round %d", round).containsOnlyOnce("applied");
                // The other is a duplicate; or, while the first still holds it, fails to be retried later. (On
                // DynamoDB Local it may also read the record after the first write and the dedup item before it and
                // end as no-change: Local does not isolate a transaction from a concurrent PutItem as DynamoDB does.
                // The guarantee holds either way: applied once, nothing lost.)
                assertThat(outcomes).as("round %d", round).allMatch(o -> Set.of("applied", "dropped:duplicate",
                        "failed:in-progress-elsewhere", "dropped:no-change").contains(o));
                assertThat(processor.process(envelope).outcome()).as("the third delivery").isEqualTo(Outcome.DUPLICATE);
                assertThat(stateItem("RECORD#acme#contact#app:c_dup_race_" + round).get("version").n()).isEqualTo("1");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void ourIntegrationAsActorIsAnEchoAndCostsNoRequest() {
        long echoes = metrics.count("dropped:echo-actor");
        assertThat(invoke(fixture("scenario-echo-actor.json")).getList("batchItemFailures")).isEmpty();
        assertThat(metrics.count("dropped:echo-actor")).isEqualTo(echoes + 1);
        assertThat(eventItem("EVENT#hubspot#acme#1846002001")).as("decided before any DynamoDB work").isEmpty();
        assertThat(stateItem("RECORD#acme#contact#hubspot:1246970")).isEmpty();
    }

    @Test
    void ourChangeAgentTagIsAnEcho() {
        long echoes = metrics.count("dropped:echo-agent");
        List<com.fasterxml.jackson.databind.JsonNode> dropped;
        List<com.fasterxml.jackson.databind.JsonNode> processed;
        try (io.loopfree.sync.support.LogCapture logs = io.loopfree.sync.support.LogCapture.start()) {
            assertThat(invoke(fixture("scenario-echo-agent.json")).getList("batchItemFailures")).isEmpty();
            dropped = logs.emf("EchoesDropped");
            processed = logs.emf("MessagesProcessed");
        }
        assertThat(metrics.count("dropped:echo-agent")).isEqualTo(echoes + 1);
        assertThat(dropped).as("the EMF line, by layer").singleElement()
                .satisfies(d -> assertThat(d.path("layer").asText()).isEqualTo("change-agent"));
        assertThat(processed).singleElement().satisfies(d -> {
            assertThat(d.path("system").asText()).isEqualTo("salesforce");
            assertThat(d.path("outcome").asText()).isEqualTo("dropped:echo-agent");
        });
        assertThat(stateItem("RECORD#acme#contact#salesforce:0035e00000Bv7gQAAR")).isEmpty();
    }

    @Test
    void aLiveMarkerWithTheFieldsWeWroteIsAnEchoAndIsConsumed() {
        Envelope envelope = envelopes(fixture("scenario-echo-marker.json")).get(0);
        MarkerKey key = new MarkerKey("acme", "app", "contact", "app:c_marker");
        // what the fan-out does just before writing these fields to the app
        markers.put(new Marker(key, List.of(new MarkedWrite("marker-token-1", expectedFieldHash(envelope), null,
                "hubspot:1846001001", Fixtures.REPLAYED_AT, Fixtures.REPLAYED_AT.plus(LIVE_MARKER)))));
        long echoes = metrics.count("dropped:echo-marker");

        assertThat(invoke(fixture("scenario-echo-marker.json")).getList("batchItemFailures")).isEmpty();

        assertThat(metrics.count("dropped:echo-marker")).isEqualTo(echoes + 1);
        assertThat(eventItem(key.asItemKey()).get("writes").m()).as("consumed in the same call")
                .doesNotContainKey("marker-token-1");
        assertThat(eventItem("EVENT#app#acme#msg_marker_01").get("outcome").s()).isEqualTo("dropped:echo-marker");
        assertThat(stateItem("RECORD#acme#contact#app:c_marker")).as("an echo changes no state").isEmpty();
    }

    @Test
    void anExpiredMarkerIsNotAnEchoEvenBeforeDynamoDbDeletesIt() {
        Envelope envelope = envelopes(fixture("scenario-expired-marker.json")).get(0);
        MarkerKey key = new MarkerKey("acme", "app", "contact", "app:c_expired");
        markers.put(new Marker(key, List.of(new MarkedWrite("marker-token-2", expectedFieldHash(envelope), null,
                "hubspot:1", Fixtures.REPLAYED_AT.minusSeconds(301), Fixtures.REPLAYED_AT.minusSeconds(1)))));
        long applied = metrics.count("applied");

        assertThat(invoke(fixture("scenario-expired-marker.json")).getList("batchItemFailures")).isEmpty();

        // (whether DynamoDB Local's sweeper has deleted it yet or not: an expired marker is no echo either way;
        // DynamoStoresTest shows it ignored while still stored)
        assertThat(metrics.count("applied")).isEqualTo(applied + 1);
        assertThat(stateItem("RECORD#acme#contact#app:c_expired")).isNotEmpty();
    }

    @Test
    void theSameStateWithNormalizationQuirksIsNoChange() {
        long applied = metrics.count("applied");
        long noChange = metrics.count("dropped:no-change");

        assertThat(invoke(fixture("scenario-same-state-quirks.json")).getList("batchItemFailures")).isEmpty();

        // true / 1 / "true", …:00.000Z / +01:00 / epoch millis, trailing and leading spaces, 19.9 / "19.90"
        assertThat(metrics.count("applied")).isEqualTo(applied + 1);
        assertThat(metrics.count("dropped:no-change")).isEqualTo(noChange + 2);
        Map<String, AttributeValue> fields = stateItem("RECORD#acme#contact#app:c_quirks")
                .get("systems").m().get("app").m().get("fields").m();
        assertThat(fields.get("subscribed").bool()).isTrue();
        assertThat(fields.get("lastLoginAt").s()).isEqualTo("2026-11-20T09:00:00.000Z");
        assertThat(fields.get("score").n()).isEqualTo("19.9");
        assertThat(fields.get("phone").nul()).isTrue();
    }

    @Test
    void anOlderChangeDeliveredAfterANewerOneIsStale() {
        long stale = metrics.count("dropped:stale");
        assertThat(invoke(fixture("scenario-out-of-order.json")).getList("batchItemFailures")).isEmpty();
        assertThat(metrics.count("dropped:stale")).isEqualTo(stale + 1);
        Map<String, AttributeValue> app = stateItem("RECORD#acme#contact#app:c_order").get("systems").m().get("app").m();
        assertThat(app.get("fields").m().get("email").s()).isEqualTo("new@example.com");
        assertThat(app.get("occurredAt").s()).isEqualTo("2026-11-20T10:00:10.000Z");
        assertThat(eventItem("EVENT#app#acme#msg_order_01").get("outcome").s()).isEqualTo("dropped:stale");
    }

    @Test
    void concurrentChangesToOneRecordFromTwoSystemsAreBothKept() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 10; round++) {
                List<Envelope> both = envelopes(fixture("scenario-two-systems.json"), "c_shared", "c_shared_" + round,
                        "msg_shared_app", "msg_shared_app_" + round, "evt_shared_stripe", "evt_shared_stripe_" + round);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Outcome>> results = new ArrayList<>();
                for (Envelope envelope : both) {
                    results.add(pool.submit(() -> {
                        start.await();
                        return processor.process(envelope).outcome();
                    }));
                }
                start.countDown();
                for (Future<Outcome> result : results) {
                    assertThat(result.get()).isEqualTo(Outcome.APPLIED);
                }
                Map<String, AttributeValue> state = stateItem("RECORD#acme#contact#app:c_shared_" + round);
                assertThat(state.get("version").n()).as("round %d", round).isEqualTo("2");
                assertThat(state.get("systems").m()).as("round %d: nothing lost", round).containsKeys("app", "stripe");
                assertThat(state.get("systems").m().get("stripe").m().get("recordId").s()).isEqualTo("cus_Shared1");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aPayloadTheMappingCannotReadFailsOnlyItsOwnMessage() {
        long mappingErrors = metrics.count("failed:mapping-error");
        JsonPath response = invoke(fixture("scenario-mapping-error.json"));

        List<String> records = recordIds(fixture("scenario-mapping-error.json"));
        assertThat(response.getList("batchItemFailures.itemIdentifier", String.class))
                .as("the unreadable HubSpot time and the system without a mapping")
                .containsExactlyInAnyOrder(records.get(0), records.get(2));
        assertThat(metrics.count("failed:mapping-error")).isEqualTo(mappingErrors + 2);
        assertThat(stateItem("RECORD#acme#contact#app:c_mapping_ok")).as("the good message of the batch").isNotEmpty();
        assertThat(eventItem("EVENT#hubspot#acme#1846003001")).as("a failure claims nothing").isEmpty();
    }

    @Test
    void aMessageThatFailedMidwayIsDeadLetteredThenProcessedWhenRedrivenAfterTheFix() throws Exception {
        try (SqsClient sqs = sqs()) {
            SyncResources.Queues queues = SyncResources.createQueues(sqs, "loopfree-processor-redrive", 3,
                    Duration.ofSeconds(1));
            String body = Fixtures.event("processor", "scenario-redrive.json");
            String envelope = JSON.readTree(body).path("Records").get(0).path("body").asText();
            sqs.sendMessage(b -> b.queueUrl(queues.queueUrl()).messageBody(envelope));
            FailureInjectingLedger.FAIL_APPLY_FOR_EVENT_IDS.add("msg_redrive_fail_once");
            long failures = metrics.count("failed:IllegalStateException");

            // the event source mapping at work: received, failed, visible again, … until SQS dead-letters it
            List<Message> deadLettered = List.of();
            for (int i = 0; i < 20 && deadLettered.isEmpty(); i++) {
                poll(sqs, queues.queueUrl());
                deadLettered = receive(sqs, queues.dlqUrl(), 0);
            }
            assertThat(deadLettered).hasSize(1);
            assertThat(metrics.count("failed:IllegalStateException")).isEqualTo(failures + 3);
            assertThat(eventItem("EVENT#app#acme#msg_redrive_fail_once")).as("dedup swallowed nothing").isEmpty();

            // the fix is deployed; an operator redrives the DLQ
            FailureInjectingLedger.FAIL_APPLY_FOR_EVENT_IDS.clear();
            for (Message message : deadLettered) {
                sqs.sendMessage(b -> b.queueUrl(queues.queueUrl()).messageBody(message.body()));
                sqs.deleteMessage(b -> b.queueUrl(queues.dlqUrl()).receiptHandle(message.receiptHandle()));
            }
            long applied = metrics.count("applied");
            assertThat(poll(sqs, queues.queueUrl())).as("batch item failures").isEmpty();
            assertThat(metrics.count("applied")).isEqualTo(applied + 1);
            assertThat(eventItem("EVENT#app#acme#msg_redrive_fail_once").get("outcome").s()).isEqualTo("applied");
            assertThat(stateItem("RECORD#acme#contact#app:c_redrive")).isNotEmpty();
        }
    }

    @Test
    void aDuplicateThatFindsItsEventInProgressElsewhereComesBackWhenTheLeaseEndsNotAfterTheVisibilityTimeout() {
        try (SqsClient sqs = sqs()) {
            // a queue whose visibility timeout (60 s) is far from the lease's end (5 s)
            SyncResources.Queues queues = SyncResources.createQueues(sqs, "loopfree-processor-lease", 5,
                    Duration.ofSeconds(60));
            String queueArn = sqs.getQueueAttributes(b -> b.queueUrl(queues.queueUrl())
                    .attributeNames(software.amazon.awssdk.services.sqs.model.QueueAttributeName.QUEUE_ARN))
                    .attributes().get(software.amazon.awssdk.services.sqs.model.QueueAttributeName.QUEUE_ARN);
            Envelope envelope = envelopes(fixture("scenario-duplicate.json"), "msg_dup_01", "msg_dup_leased", "c_dup",
                    "c_dup_leased").get(0);
            // the original delivery applied it and holds it for 5 more seconds (as the apply transaction leaves it)
            try (DynamoDbClient dynamo = dynamo()) {
                Map<String, AttributeValue> item = new HashMap<>();
                item.put("pk", AttributeValue.fromS("EVENT#app#acme#msg_dup_leased"));
                item.put("type", AttributeValue.fromS("DEDUP"));
                item.put("status", AttributeValue.fromS("IN_PROGRESS"));
                item.put("claimToken", AttributeValue.fromS("the-original-delivery"));
                item.put("leaseExpiresAt", AttributeValue.fromN(Long.toString(Fixtures.REPLAYED_AT.getEpochSecond() + 5)));
                item.put("expiresAt", AttributeValue.fromN(Long.toString(Fixtures.REPLAYED_AT.plus(Duration.ofDays(3650))
                        .getEpochSecond()))); // beyond DynamoDB Local's sweeper, which runs on the wall clock
                dynamo.putItem(b -> b.tableName(SyncResources.EVENTS_TABLE).item(item));
            }
            sqs.sendMessage(b -> b.queueUrl(queues.queueUrl()).messageBody(EnvelopeCodec.encode(envelope)));
            List<Message> duplicate = receive(sqs, queues.queueUrl(), 1);
            long receivedAt = System.nanoTime();
            assertThat(duplicate).hasSize(1);

            List<String> failed = invoke(SqsEvents.of(duplicate, queueArn))
                    .getList("batchItemFailures.itemIdentifier", String.class);
            assertThat(failed).as("failed:in-progress-elsewhere: retried, not dropped")
                    .containsExactly(duplicate.get(0).messageId());

            List<Message> back = Awaitility.await().atMost(Duration.ofSeconds(25))
                    .until(() -> receive(sqs, queues.queueUrl(), 1), messages -> !messages.isEmpty());
            long backAfterMs = (System.nanoTime() - receivedAt) / 1_000_000;
            assertThat(back).singleElement().satisfies(m -> assertThat(m.messageId())
                    .isEqualTo(duplicate.get(0).messageId()));
            assertThat(backAfterMs).as("when the lease ends (5 s after it was received), not after the visibility"
                    + " timeout (60 s)").isGreaterThanOrEqualTo(5_000);
            System.out.printf("FIGURE in-progress duplicate: back %d ms after it was received (lease ends after 5 s,"
                    + " visibility timeout 60 s)%n", backAfterMs);
            sqs.deleteMessage(b -> b.queueUrl(queues.queueUrl()).receiptHandle(back.get(0).receiptHandle()));
        }
    }

    /** One receive-invoke-delete round, as Lambda's SQS event source mapping with ReportBatchItemFailures does. */
    private static List<String> poll(SqsClient sqs, String queueUrl) {
        List<Message> messages = receive(sqs, queueUrl, 2);
        if (messages.isEmpty()) {
            return List.of();
        }
        String event = SqsEvents.of(messages, "arn:aws:sqs:us-east-1:000000000000:loopfree-processor-redrive");
        List<String> failed = invoke(event).getList("batchItemFailures.itemIdentifier", String.class);
        for (Message message : messages) {
            if (!failed.contains(message.messageId())) {
                sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle()));
            }
        }
        return failed;
    }

    private static List<Message> receive(SqsClient sqs, String queueUrl, int waitSeconds) {
        return sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(waitSeconds)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
    }

    private String expectedFieldHash(Envelope envelope) {
        Change change = ((ChangeMapping.Mapped) mappings.find(envelope.system()).orElseThrow().normalize(envelope)).change();
        return change.fields().hash();
    }

    private static String fixture(String name) {
        return Fixtures.event("processor", name);
    }

    /** The envelopes of a recorded batch, with ids renamed (pairs of from, to) to replay it as fresh events. */
    private static List<Envelope> envelopes(String event, String... renames) {
        String text = event;
        for (int i = 0; i < renames.length; i += 2) {
            text = text.replace(renames[i], renames[i + 1]);
        }
        try {
            List<Envelope> envelopes = new ArrayList<>();
            for (JsonNode record : JSON.readTree(text).path("Records")) {
                envelopes.add(EnvelopeCodec.decode(record.path("body").asText()));
            }
            return envelopes;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> recordIds(String event) {
        try {
            List<String> ids = new ArrayList<>();
            JSON.readTree(event).path("Records").forEach(r -> ids.add(r.path("messageId").asText()));
            return ids;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }


    private static Map<String, AttributeValue> stateItem(String pk) {
        return stateItem(pk, "STATE");
    }
}
