package io.loopfree.sync.functions;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import org.awaitility.Awaitility;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;

import io.loopfree.sync.adapters.dynamodb.ConnectionSeeds;
import io.loopfree.sync.domain.envelope.EnvelopeCodec;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.local.sandbox.SandboxConfig;
import io.loopfree.sync.local.sandbox.SandboxProvider;
import io.restassured.path.json.JsonPath;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Three systems of one tenant's contact connection for processor tests: the customer's {@code app} (a sandbox
 * speaking the app's format, echoing our change-agent tag), {@code sandbox-rich} (HubSpot-like: full records, the
 * writer's identity in every webhook) and {@code sandbox-skinny} (ids only, no actor, tag stripped, values
 * normalized). Their webhooks are caught here and handed to the processor as the ingress would enqueue them, one
 * SQS message each, in the order they were sent — or held, dropped and redelivered as a test says.
 */
final class SandboxWorld implements AutoCloseable {

    static final String APP = "app";
    static final String RICH = "sandbox-rich";
    static final String SKINNY = "sandbox-skinny";
    static final String ENGINE_TOKEN = "engine-token";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One webhook as the ingress would have enqueued it. */
    record Delivery(String system, String eventId, Envelope envelope) {
    }

    final String tenant;
    final SandboxProvider app;
    final SandboxProvider rich;
    final SandboxProvider skinny;
    private final HttpServer receiver;
    private final ConcurrentLinkedQueue<Delivery> caught = new ConcurrentLinkedQueue<>();

    SandboxWorld(String tenant) {
        this(tenant, UnaryOperator.identity(), null);
    }

    /** @param richConfig adjusts the HubSpot-like sandbox (rate-limit headers and window, for the safety valves) */
    SandboxWorld(String tenant, UnaryOperator<SandboxConfig> richConfig) {
        this(tenant, richConfig, null);
    }

    /** @param clock the sandboxes' clock (their records' updated_at), null for the real one */
    SandboxWorld(String tenant, java.time.Clock clock) {
        this(tenant, UnaryOperator.identity(), clock);
    }

    private SandboxWorld(String tenant, UnaryOperator<SandboxConfig> richConfig, java.time.Clock clock) {
        this.tenant = tenant;
        try {
            receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        receiver.createContext("/", exchange -> {
            try (exchange) {
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readAllBytes();
                }
                Map<String, String> headers = new HashMap<>();
                exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT),
                        String.join(",", values)));
                String[] path = exchange.getRequestURI().getPath().split("/"); // /webhooks/<system>/<tenant>
                caught.add(delivery(path[2], path[3], headers, body));
                exchange.sendResponseHeaders(200, -1);
            }
        });
        receiver.start();
        UnaryOperator<SandboxConfig> clocked = config -> clock == null ? config : config.withClock(clock);
        app = SandboxProvider.start(clocked.apply(SandboxConfig.of(APP, tenant)).withWebhookUrl(url(APP))
                .withPayloadFormat(SandboxConfig.PayloadFormat.APP).withEchoChangeAgent(true));
        rich = SandboxProvider.start(richConfig.apply(clocked.apply(SandboxConfig.of(RICH, tenant)).withWebhookUrl(url(RICH))
                .withActorMetadata(SandboxConfig.ActorMetadata.HUBSPOT_LIKE)));
        skinny = SandboxProvider.start(clocked.apply(SandboxConfig.of(SKINNY, tenant)).withWebhookUrl(url(SKINNY)).withSkinny(true)
                .withNormalizeValues(true));
    }

    private String url(String system) {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/webhooks/" + system + "/" + tenant;
    }

    /** The connection, as a seed item with the sandboxes' URLs; {@code edit} adjusts it (ownership, directions…). */
    void seedConnection(DynamoDbClient dynamo, String stateTable, UnaryOperator<ObjectNode> edit) {
        ObjectNode connection = JSON.createObjectNode();
        connection.put("tenant", tenant);
        connection.put("resource", "contact");
        connection.putObject("ownership").put("rule", "last-write-wins");
        connection.put("onDelete", "propagate");
        ArrayNode systems = connection.putArray("systems");
        for (SandboxProvider sandbox : List.of(app, rich, skinny)) {
            ObjectNode system = systems.addObject();
            system.put("system", sandbox.config().system());
            system.put("account", sandbox.config().account());
            system.put("profile", "sandbox");
            system.putObject("params").put("baseUrl", sandbox.baseUrl().toString().replaceAll("/$", ""));
        }
        ArrayNode file = JSON.createArrayNode().add(edit.apply(connection));
        ConnectionSeeds.seed(dynamo, stateTable,
                new java.io.ByteArrayInputStream(file.toString().getBytes(StandardCharsets.UTF_8)));
    }

    SandboxProvider sandbox(String system) {
        return switch (system) {
            case APP -> app;
            case RICH -> rich;
            case SKINNY -> skinny;
            default -> throw new IllegalArgumentException(system);
        };
    }

    /** Waits until every sandbox has sent what it had to send, then takes what was caught. */
    List<Delivery> take() {
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> app.pendingWebhooks() == 0 && rich.pendingWebhooks() == 0 && skinny.pendingWebhooks() == 0);
        List<Delivery> taken = new ArrayList<>();
        Delivery next;
        while ((next = caught.poll()) != null) {
            taken.add(next);
        }
        return taken;
    }

    /**
     * Hands every webhook to the processor until the systems are quiet: each processed message may cause writes,
     * whose webhooks are processed in turn. Fails when it does not end (a loop).
     *
     * @return every message's batch item failures (none expected unless a test provokes them)
     */
    List<String> pump(Function<String, JsonPath> invoke) {
        List<String> failures = new ArrayList<>();
        for (int round = 0; round < 20; round++) {
            List<Delivery> deliveries = take();
            if (deliveries.isEmpty()) {
                return failures;
            }
            for (Delivery delivery : deliveries) {
                failures.addAll(process(invoke, delivery));
            }
        }
        throw new AssertionError("the systems never went quiet: a loop");
    }

    /**
     * {@link #pump}, also handing over what the engine itself put on the processing queue for this tenant (the
     * record a guard read or a 412 found newer in a target, to be decided again), in each round after the webhooks.
     */
    List<String> pump(Function<String, JsonPath> invoke, java.util.function.Supplier<List<Envelope>> enqueued) {
        List<String> failures = new ArrayList<>();
        for (int round = 0; round < 20; round++) {
            List<Delivery> deliveries = new ArrayList<>(take());
            enqueued.get().stream().filter(e -> e.tenant().equals(tenant))
                    .forEach(e -> deliveries.add(new Delivery(e.system(), e.eventId(), e)));
            if (deliveries.isEmpty()) {
                return failures;
            }
            for (Delivery delivery : deliveries) {
                failures.addAll(process(invoke, delivery));
            }
        }
        throw new AssertionError("the systems never went quiet: a loop");
    }

    /** One message to the processor: the ids of the messages it reported failed (empty when processed). */
    static List<String> process(Function<String, JsonPath> invoke, Delivery delivery) {
        return invoke.apply(sqsEvent(delivery, 1)).getList("batchItemFailures.itemIdentifier", String.class);
    }

    static String sqsEvent(Delivery delivery, int receiveCount) {
        ObjectNode event = JSON.createObjectNode();
        ObjectNode record = event.putArray("Records").addObject();
        record.put("messageId", "msg-" + delivery.eventId());
        record.put("receiptHandle", "rh-" + UUID.randomUUID());
        record.put("body", EnvelopeCodec.encode(delivery.envelope()));
        record.putObject("attributes").put("ApproximateReceiveCount", Integer.toString(receiveCount));
        record.putObject("messageAttributes");
        record.put("eventSource", "aws:sqs");
        record.put("eventSourceARN", "arn:aws:sqs:us-east-1:000000000000:loopfree-changes");
        record.put("awsRegion", "us-east-1");
        return event.toString();
    }

    private static Delivery delivery(String system, String tenant, Map<String, String> headers, byte[] body) {
        String eventId = headers.get("webhook-id");
        if (eventId == null) {
            try {
                eventId = JSON.readTree(body).path("eventId").asText();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Map<String, String> forwarded = new LinkedHashMap<>();
        forwarded.put("content-type", "application/json");
        if (headers.containsKey("webhook-id")) {
            forwarded.put("webhook-id", headers.get("webhook-id"));
        }
        return new Delivery(system, eventId, Envelope.of(system, tenant, eventId, Instant.now(), forwarded, body));
    }

    /** The engine's writes a sandbox received (replays of an idempotency key included, flagged). */
    List<io.loopfree.sync.local.sandbox.SandboxAudit.Write> engineWrites(String system) {
        return sandbox(system).audit().writes().stream().filter(w -> "engine".equals(w.by())).toList();
    }

    JsonNode only(String system) {
        List<ObjectNode> records = sandbox(system).records("contact");
        if (records.size() != 1) {
            throw new AssertionError(system + " has " + records.size() + " contacts: " + records);
        }
        return records.get(0);
    }

    @Override
    public void close() {
        app.close();
        rich.close();
        skinny.close();
        receiver.stop(0);
    }
}
