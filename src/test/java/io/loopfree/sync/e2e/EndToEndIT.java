package io.loopfree.sync.e2e;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.function.Supplier;

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
        engine = LocalEngine.start(new LocalEngine.Settings(functionZip, 0, EmbeddedAws.freePort(), EmbeddedAws.freePort(),
                Duration.ZERO, Duration.ofSeconds(1), 3, new PrintStream(OutputStream.nullOutputStream())));
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

        List<String> lines = await(() -> processed(eventId), l -> l.size() >= 2, Duration.ofSeconds(30));
        assertThat(lines).hasSize(2);
        assertThat(lines.stream().filter(l -> l.contains("outcome=applied"))).hasSize(1);
        assertThat(lines.stream().filter(l -> l.contains("outcome=dropped:duplicate"))).hasSize(1);

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

        List<String> lines = await(() -> processed(eventId), l -> !l.isEmpty(), Duration.ofSeconds(30));
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
        Thread.sleep(2000);
        assertThat(processed(eventId)).isEmpty();
    }

    @Test
    void aPoisonMessageIsRetriedThenDeadLetteredWithItsCauseLogged() {
        String poison = "poison-" + UUID.randomUUID();
        try (SqsClient sqs = engine.aws().sqsClient()) {
            sqs.sendMessage(b -> b.queueUrl(engine.queues().queueUrl()).messageBody(poison));
            int inDlq = await(() -> Integer.parseInt(sqs.getQueueAttributes(b -> b.queueUrl(engine.queues().dlqUrl())
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                    .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)), n -> n >= 1, Duration.ofSeconds(45));
            assertThat(inDlq).isEqualTo(1);
            String dead = sqs.receiveMessage(b -> b.queueUrl(engine.queues().dlqUrl()).waitTimeSeconds(1))
                    .messages().get(0).body();
            assertThat(dead).as("dead-lettered unchanged, ready for a redrive").isEqualTo(poison);
        }
        List<String> failures = engine.output("processor").stream()
                .filter(l -> l.contains("outcome=failed:malformed-envelope")).toList();
        assertThat(failures).hasSize(3);
        assertThat(failures).anyMatch(l -> l.contains("receiveCount=3") && l.contains("message body is not JSON"));
    }

    @Test
    void theScheduledReconcilerRunsTheJobsOfTheConnections() throws Exception {
        JsonNode result = JSON.readTree(engine.reconcile());

        // jobs come from the connections (pk=CONNECTIONS); the local engine seeds none, so the run has none
        assertThat(Instant.parse(result.path("startedAt").asText())).isBefore(Instant.now().plusSeconds(1));
        assertThat(result.path("jobs").isArray()).isTrue();
        assertThat(result.path("jobs")).isEmpty();
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

    private static <T> T await(Supplier<T> probe, java.util.function.Predicate<T> done, Duration limit) {
        Instant deadline = Instant.now().plus(limit);
        T value = probe.get();
        while (!done.test(value) && Instant.now().isBefore(deadline)) {
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            value = probe.get();
        }
        return value;
    }
}
