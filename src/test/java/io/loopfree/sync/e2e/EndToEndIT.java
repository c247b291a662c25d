package io.loopfree.sync.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.ArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.standardwebhooks.Webhook;

import io.loopfree.sync.local.LocalEngine;
import io.loopfree.sync.support.EmbeddedAws;
import io.loopfree.sync.support.SyncResources;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The three functions together, from the packaged function.zip, each in its own JVM under AWS's runtime
 * interface client, behind the local API Gateway and SQS event source stand-ins, against DynamoDB Local and
 * ElasticMQ. Webhooks are signed by the Standard Webhooks reference library, as a sender signs them.
 */
class EndToEndIT {

    static LocalEngine engine;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() {
        Path functionZip = Path.of(System.getProperty("function.zip", "target/function.zip"));
        // two instances per function, as Lambda's concurrency; a 2 s visibility (shorter than the template's
        // rule, on purpose: the engine shortens the dedup lease with it) so that the poison and crash scenarios
        // replay in seconds
        engine = LocalEngine.start(new LocalEngine.Settings(functionZip, 0, EmbeddedAws.freePort(), EmbeddedAws.freePort(),
                Duration.ZERO, Duration.ofSeconds(2), 3, new PrintStream(OutputStream.nullOutputStream()), 2,
                LocalEngine.PROCESSOR_TIMEOUT));
    }

    @AfterAll
    static void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void aWebhookDeliveredTwiceIsProcessedOnceAndCountedOnceAsDuplicate() throws Exception {
        String eventId = "msg_e2e_" + UUID.randomUUID().toString().replace("-", "");
        String recordId = "c_" + UUID.randomUUID().toString().substring(0, 8);
        String body = "{\"type\":\"contact.updated\",\"timestamp\":\"" + Instant.now() + "\",\"data\":{\"id\":\""
                + recordId + "\",\"name\":\"Katherine Johnson\",\"email\":\"kj@example.com\"}}";

        assertThat(post(eventId, Instant.now().getEpochSecond(), body, LocalEngine.DEMO_SECRET).statusCode()).isEqualTo(202);
        // the sender retries: same webhook-id, new timestamp and signature
        assertThat(post(eventId, Instant.now().getEpochSecond() + 1, body, LocalEngine.DEMO_SECRET).statusCode()).isEqualTo(202);

        // two processor instances may take both at once: the second then fails "in progress elsewhere" and, retried
        // after the visibility timeout, is a duplicate
        List<String> lines = await().atMost(Duration.ofSeconds(30)).until(() -> processed(eventId),
                l -> l.stream().anyMatch(line -> line.contains("outcome=dropped:duplicate")));
        assertThat(lines.stream().filter(l -> l.contains("outcome=applied"))).hasSize(1);
        assertThat(lines.stream().filter(l -> l.contains("outcome=dropped:duplicate"))).hasSize(1);
        assertThat(lines).allMatch(l -> l.contains("outcome=applied") || l.contains("outcome=dropped:duplicate")
                || l.contains("outcome=failed:in-progress-elsewhere"));

        try (DynamoDbClient dynamo = engine.aws().dynamoClient()) {
            List<Map<String, AttributeValue>> items = dynamo.scan(b -> b.tableName(SyncResources.EVENTS_TABLE)
                    .filterExpression("eventId = :id")
                    .expressionAttributeValues(Map.of(":id", AttributeValue.fromS(eventId)))).items();
            assertThat(items).hasSize(1);
            Map<String, AttributeValue> item = items.get(0);
            assertThat(item.get("pk").s()).isEqualTo("EVENT#app#acme#" + eventId);
            long expiresAt = Long.parseLong(item.get("expiresAt").n());
            assertThat(expiresAt).isBetween(Instant.now().plus(Duration.ofHours(71)).getEpochSecond(),
                    Instant.now().plus(Duration.ofHours(73)).getEpochSecond());
            Map<String, AttributeValue> record = dynamo.getItem(b -> b.tableName(SyncResources.STATE_TABLE)
                    .key(Map.of("pk", AttributeValue.fromS("RECORD#acme#contact#app:" + recordId),
                            "sk", AttributeValue.fromS("STATE")))).item();
            assertThat(record.get("type").s()).isEqualTo("SYNC_STATE");
            assertThat(record.get("version").n()).as("applied once").isEqualTo("1");
        }
    }

    @Test
    void aChangeCarryingOurChangeAgentTagIsAnEchoAndIsNotApplied() throws Exception {
        String eventId = "msg_e2e_echo_" + UUID.randomUUID().toString().replace("-", "");
        String recordId = "c_" + UUID.randomUUID().toString().substring(0, 8);
        String body = "{\"type\":\"contact.updated\",\"timestamp\":\"" + Instant.now() + "\",\"changeAgent\":\"loopfree-sync\","
                + "\"data\":{\"id\":\"" + recordId + "\",\"name\":\"Echo of our own write\"}}";

        assertThat(post(eventId, Instant.now().getEpochSecond(), body, LocalEngine.DEMO_SECRET).statusCode()).isEqualTo(202);

        List<String> lines = await().atMost(Duration.ofSeconds(30)).until(() -> processed(eventId), l -> !l.isEmpty());
        assertThat(lines).singleElement().asString().contains("outcome=dropped:echo-agent");
        try (DynamoDbClient dynamo = engine.aws().dynamoClient()) {
            assertThat(dynamo.getItem(b -> b.tableName(SyncResources.STATE_TABLE)
                    .key(Map.of("pk", AttributeValue.fromS("RECORD#acme#contact#app:" + recordId),
                            "sk", AttributeValue.fromS("STATE")))).item()).as("no sync state written for an echo").isEmpty();
        }
    }

    @Test
    void aWrongSignatureIs401AndNothingReachesTheProcessor() throws Exception {
        String eventId = "msg_e2e_forged_" + UUID.randomUUID().toString().replace("-", "");
        HttpResponse<String> response = post(eventId, Instant.now().getEpochSecond(), "{}",
                "whsec_" + java.util.Base64.getEncoder().encodeToString("not-the-tenants-secret".getBytes()));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(response.body()).path("reason").asText()).isEqualTo("signature mismatch");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> processed(eventId).isEmpty());
    }

    @Test
    void aPoisonMessageIsDeadLetteredAtOnceWithItsCause() {
        // the engine sets SYNC_DEAD_LETTER_QUEUE_URL as the template does: a malformed envelope fails the same way
        // on every delivery, so it is not retried until maxReceiveCount but dead-lettered on its first receive
        String poison = "poison-" + UUID.randomUUID();
        try (SqsClient sqs = engine.aws().sqsClient()) {
            sqs.sendMessage(b -> b.queueUrl(engine.queues().queueUrl()).messageBody(poison));
            await().atMost(Duration.ofSeconds(45)).until(() -> Integer.parseInt(sqs.getQueueAttributes(b -> b
                    .queueUrl(engine.queues().dlqUrl()).attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                    .attributes().get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)), n -> n == 1);
            var dead = sqs.receiveMessage(b -> b.queueUrl(engine.queues().dlqUrl()).waitTimeSeconds(1)
                    .messageAttributeNames("All")).messages().get(0);
            assertThat(dead.body()).as("dead-lettered unchanged, ready for a redrive").isEqualTo(poison);
            assertThat(dead.messageAttributes().get("failureCause").stringValue()).isEqualTo("malformed-envelope");
        }
        List<String> failures = engine.output("processor").stream()
                .filter(l -> l.contains("outcome=failed:malformed-envelope") && l.contains("message body is not JSON")).toList();
        assertThat(failures).hasSize(1);
        assertThat(failures.get(0)).contains("receiveCount=1", "deadLettered=true");
    }

    @Test
    void theScheduledReconcilerRunsTheJobsOfTheConnections() throws Exception {
        JsonNode result = JSON.readTree(engine.reconcile());

        // jobs come from the connections (pk=CONNECTIONS); the local engine seeds none, so the run has none
        assertThat(Instant.parse(result.path("startedAt").asText())).isBefore(Instant.now().plusSeconds(1));
        assertThat(result.path("jobs").isArray()).isTrue();
        assertThat(result.path("jobs")).isEmpty();
    }

    @Test
    void aProcessorInstanceKilledUnderLoadIsReplacedAndEveryWebhookIsAppliedOnce() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        int restartsBefore = engine.restarts("processor");
        List<String> eventIds = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String eventId = "msg_e2e_crash_" + run + "_" + i;
            eventIds.add(eventId);
            String body = "{\"type\":\"contact.updated\",\"timestamp\":\"" + Instant.now() + "\",\"data\":{\"id\":\"c_crash_"
                    + run + "_" + i + "\",\"name\":\"Grace Hopper\"}}";
            assertThat(post(eventId, Instant.now().getEpochSecond(), body, LocalEngine.DEMO_SECRET).statusCode()).isEqualTo(202);
            if (i == 10) {
                long victim = engine.pids("processor").get(0);
                ProcessHandle.of(victim).ifPresent(ProcessHandle::destroyForcibly); // kill -9
            }
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> engine.restarts("processor") == restartsBefore + 1);
        assertThat(engine.output("processor")).anyMatch(l -> l.contains("exited with code 137; starting a new instance"));
        assertThat(engine.pids("processor")).hasSize(2);
        try (DynamoDbClient dynamo = engine.aws().dynamoClient()) {
            for (int i = 0; i < eventIds.size(); i++) {
                String eventId = eventIds.get(i);
                Map<String, AttributeValue> item = await().atMost(Duration.ofSeconds(90)).until(() -> dynamo.getItem(b -> b
                        .tableName(SyncResources.EVENTS_TABLE).consistentRead(true)
                        .key(Map.of("pk", AttributeValue.fromS("EVENT#app#acme#" + eventId)))).item(),
                        found -> found.containsKey("status") && found.get("status").s().equals("DONE"));
                // an event the killed instance had applied but not finished is taken over after its lease by the
                // redelivery, which finds the state already there (docs/processor.md, the fan-out's known limit)
                assertThat(item.get("outcome").s()).as(eventId).isIn("applied", "dropped:no-change");
                String record = "RECORD#acme#contact#app:c_crash_" + run + "_" + i;
                assertThat(dynamo.getItem(b -> b.tableName(SyncResources.STATE_TABLE).consistentRead(true)
                        .key(Map.of("pk", AttributeValue.fromS(record), "sk", AttributeValue.fromS("STATE")))).item()
                        .get("version").n()).as("applied exactly once: " + record).isEqualTo("1");
            }
        }
        for (String eventId : eventIds) {
            assertThat(processed(eventId).stream().filter(l -> l.contains("outcome=applied")).count()).as(eventId)
                    .isLessThanOrEqualTo(1);
        }
    }

    @Test
    void theStateEndpointCountsEveryItemAndShowsMessagesInFlight() throws Exception {
        try (DynamoDbClient dynamo = engine.aws().dynamoClient()) {
            for (int i = 0; i < 120; i++) { // more than one page of the old summary (100)
                String pk = "EVENT#app#acme#msg_state_" + UUID.randomUUID();
                dynamo.putItem(b -> b.tableName(SyncResources.EVENTS_TABLE).item(Map.of("pk", AttributeValue.fromS(pk),
                        "type", AttributeValue.fromS("DEDUP"))));
            }
            int inTable = dynamo.scanPaginator(b -> b.tableName(SyncResources.EVENTS_TABLE)).items().stream()
                    .mapToInt(item -> 1).sum();
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(engine.baseUrl().resolve("/_local/state"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            JsonNode state = JSON.readTree(response.body());
            JsonNode events = state.path("tables").path(SyncResources.EVENTS_TABLE);
            assertThat(events.path("count").asInt()).isEqualTo(inTable);
            assertThat(events.path("items").size()).isEqualTo(Math.min(inTable, 1000));
            JsonNode queue = state.path("queues").path("loopfree-changes");
            assertThat(queue.has("visible") && queue.has("inFlight") && queue.has("delayed")).isTrue();
            assertThat(state.path("functions").path("processor").path("instances").asInt()).isEqualTo(2);
        }
    }

    private static List<String> processed(String eventId) {
        return engine.output("processor").stream()
                .filter(l -> l.contains("processed ") && l.contains("eventId=" + eventId + " ")).toList();
    }

    private static HttpResponse<String> post(String id, long timestamp, String body, String secret) throws Exception {
        String signature = new Webhook(secret).sign(id, timestamp, body);
        URI url = engine.webhookUrl("app", "acme");
        return HTTP.send(HttpRequest.newBuilder(url)
                .header("content-type", "application/json")
                .header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", signature)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
