package io.loopfree.sync.bench;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.loopfree.sync.adapters.profiles.JsonProfileRepository;
import io.loopfree.sync.adapters.secrets.CachingSecretStore;
import io.loopfree.sync.adapters.secrets.ConfigSecretStore;
import io.loopfree.sync.adapters.sqs.SqsEnvelopeQueue;
import io.loopfree.sync.app.IngressResult;
import io.loopfree.sync.app.IngressService;
import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.webhook.WebhookRequest;
import io.loopfree.sync.support.AwsBackend;
import io.loopfree.sync.support.EmbeddedAws;
import io.loopfree.sync.support.Fixtures;
import io.loopfree.sync.support.ProviderSecrets;
import io.loopfree.sync.support.SqsRequestRecorder;
import io.loopfree.sync.support.SyncResources;
import io.loopfree.sync.support.TestConfigs;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * {@code ./mvnw -Pbench -Dbench=IngressBenchmark}: the real ingress service with its real adapters (profiles from
 * the classpath, secrets from configuration behind the cache, SQS through the SDK's URL-connection client) against
 * ElasticMQ in this JVM. Measures the handler's latency beside a raw SendMessage of the same size to the same
 * queue, and counts SQS requests per webhook with an SDK interceptor. A command, not a test: figures vary by
 * machine; the counts do not.
 */
public final class IngressBenchmark {

    static final int WARMUP = 300;
    static final int SINGLE_RUNS = 1000;
    static final int BATCH_RUNS = 100;
    static final int BATCH_SIZE = 100;
    static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        try (EmbeddedAws aws = EmbeddedAws.start()) {
            SqsRequestRecorder recorder = new SqsRequestRecorder();
            SqsClient sqs = SqsClient.builder().endpointOverride(aws.sqsEndpoint()).region(Region.of(AwsBackend.REGION))
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                    .httpClientBuilder(UrlConnectionHttpClient.builder())
                    .overrideConfiguration(c -> c.addExecutionInterceptor(recorder)).build();
            String queueUrl = SyncResources.createQueues(sqs, "bench-changes", 3, Duration.ofSeconds(30)).queueUrl();

            Map<String, String> settings = new HashMap<>(ProviderSecrets.applicationConfig());
            settings.put("webhook-secrets.app.acme", Fixtures.CURRENT_SECRET + "," + Fixtures.PREVIOUS_SECRET);
            settings.put("sync.queue-url", queueUrl);
            SyncConfig config = TestConfigs.syncConfig(settings);
            Clock clock = Clock.fixed(Fixtures.REPLAYED_AT, ZoneOffset.UTC);
            IngressService ingress = new IngressService(
                    new JsonProfileRepository(Optional.empty()),
                    new CachingSecretStore(new ConfigSecretStore(TestConfigs.config(settings)), clock,
                            config.secrets().cacheTtl(), config.secrets().negativeCacheTtl(), config.secrets().cacheMaxEntries()),
                    new SqsEnvelopeQueue(new io.loopfree.sync.adapters.sqs.SqsSender(sqs, config)), clock, config,
                    new io.loopfree.sync.app.SyncMetrics((name, value, unit, dimensions, properties) -> { }));

            Delivery single = Delivery.fromFixture("valid.json");
            Delivery batch = hubspotBatch(BATCH_SIZE);
            String rawBody = "x".repeat(single.request.bodyLength() + 300); // about the envelope's size

            for (int i = 0; i < WARMUP; i++) {
                expect(ingress.handle(single.system, single.tenant, single.request.get()), 202);
                sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(rawBody));
                if (i % 10 == 0) {
                    expect(ingress.handle(batch.system, batch.tenant, batch.request.get()), 202);
                }
            }
            sqs.purgeQueue(b -> b.queueUrl(queueUrl));

            recorder.reset();
            long[] handler = new long[SINGLE_RUNS];
            long[] raw = new long[SINGLE_RUNS];
            for (int i = 0; i < SINGLE_RUNS; i++) { // interleaved, so both see the same machine load
                WebhookRequest request = single.request.get();
                long t0 = System.nanoTime();
                expect(ingress.handle(single.system, single.tenant, request), 202);
                long t1 = System.nanoTime();
                sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(rawBody));
                long t2 = System.nanoTime();
                handler[i] = t1 - t0;
                raw[i] = t2 - t1;
            }
            long singleRequests = recorder.count("SendMessage") - SINGLE_RUNS; // minus the raw sends
            sqs.purgeQueue(b -> b.queueUrl(queueUrl));

            recorder.reset();
            long[] batched = new long[BATCH_RUNS];
            for (int i = 0; i < BATCH_RUNS; i++) {
                WebhookRequest request = batch.request.get();
                long t0 = System.nanoTime();
                expect(ingress.handle(batch.system, batch.tenant, request), 202);
                batched[i] = System.nanoTime() - t0;
            }
            long batchRequests = recorder.operations().size();

            System.out.println();
            System.out.println("Ingress benchmark: IngressService + real adapters -> ElasticMQ (in-process), "
                    + Runtime.getRuntime().availableProcessors() + " cores, warm-up " + WARMUP);
            System.out.println();
            System.out.println("| workload                                   | runs | p50 ms | p99 ms | SQS requests per webhook |");
            System.out.println("|--------------------------------------------|-----:|-------:|-------:|-------------------------:|");
            row("raw SendMessage (same queue, same size)", raw, "1 (by definition)");
            row("ingress, 1 Standard Webhooks delivery", handler, format(singleRequests / (double) SINGLE_RUNS));
            row("ingress, HubSpot delivery of " + BATCH_SIZE + " events", batched,
                    format(batchRequests / (double) BATCH_RUNS) + " (" + format(batchRequests / (double) (BATCH_RUNS * BATCH_SIZE))
                            + " per event)");
            System.out.println();
            System.out.printf(Locale.ROOT, "handler / raw SendMessage: p50 %.2fx, p99 %.2fx%n",
                    percentile(handler, 50) / percentile(raw, 50), percentile(handler, 99) / percentile(raw, 99));
            System.out.printf(Locale.ROOT, "batch request sizes: %s%n", recorder.batchSizes().stream().distinct().toList());
            System.out.printf(Locale.ROOT, "total run time %.1f s%n", (System.nanoTime() - started) / 1e9);
            if (singleRequests != SINGLE_RUNS || batchRequests > (long) BATCH_RUNS * ((BATCH_SIZE + 9) / 10)) {
                throw new IllegalStateException("unexpected SQS request count");
            }
            sqs.close();
        }
        System.exit(0); // DynamoDB Local and ElasticMQ leave non-daemon threads behind
    }

    private static void row(String workload, long[] nanos, String requests) {
        System.out.printf(Locale.ROOT, "| %-42s | %4d | %6.2f | %6.2f | %24s |%n", workload, nanos.length,
                percentile(nanos, 50), percentile(nanos, 99), requests);
    }

    private static double percentile(long[] nanos, int percentile) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, index)] / 1e6;
    }

    private static String format(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    private static void expect(IngressResult result, int status) {
        if (result.status() != status) {
            throw new IllegalStateException("expected " + status + " but got " + result.status() + ": " + result.body());
        }
    }

    /** A delivery as the function hands it to the service: system, tenant, and a fresh request per call. */
    record Delivery(String system, String tenant, RequestFactory request) {

        static Delivery fromFixture(String name) throws Exception {
            JsonNode event = JSON.readTree(Fixtures.event("ingress", name));
            Map<String, String> headers = new HashMap<>();
            event.path("headers").fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
            byte[] body = Fixtures.rawBody("ingress", name);
            String method = event.path("requestContext").path("http").path("method").asText();
            String path = event.path("rawPath").asText();
            String query = event.path("rawQueryString").asText("");
            return new Delivery(event.path("pathParameters").path("system").asText(),
                    event.path("pathParameters").path("tenant").asText(),
                    new RequestFactory(() -> new WebhookRequest(method, path, query, headers, body), body.length));
        }
    }

    record RequestFactory(Supplier<WebhookRequest> supplier, int bodyLength) {
        WebhookRequest get() {
            return supplier.get();
        }
    }

    /** A HubSpot v3-signed array of events, signed at the fixtures' time with the test client secret. */
    static Delivery hubspotBatch(int size) throws Exception {
        ArrayNode events = JSON.createArrayNode();
        for (int i = 0; i < size; i++) {
            ObjectNode event = events.addObject();
            event.put("eventId", 5000 + i).put("subscriptionId", 2871643).put("portalId", 62515)
                    .put("occurredAt", Fixtures.SIGNED_AT.toEpochMilli() - i).put("subscriptionType", "contact.propertyChange")
                    .put("attemptNumber", 0).put("objectId", 900 + i).put("propertyName", "email")
                    .put("propertyValue", "user" + i + "@acme.example").put("changeSource", "CRM");
        }
        byte[] body = events.toString().getBytes(StandardCharsets.UTF_8);
        String host = "abc123.execute-api.eu-west-1.amazonaws.com";
        String timestamp = Long.toString(Fixtures.SIGNED_AT.toEpochMilli());
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(ProviderSecrets.HUBSPOT.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update(("POST" + "https://" + host + "/webhooks/hubspot/acme").getBytes(StandardCharsets.UTF_8));
        mac.update(body);
        String signature = Base64.getEncoder().encodeToString(mac.doFinal(timestamp.getBytes(StandardCharsets.UTF_8)));
        Map<String, String> headers = Map.of("host", host, "x-forwarded-proto", "https", "content-type", "application/json",
                "x-hubspot-request-timestamp", timestamp, "x-hubspot-signature-v3", signature);
        return new Delivery("hubspot", "acme", new RequestFactory(
                () -> new WebhookRequest("POST", "/webhooks/hubspot/acme", "", headers, body), body.length));
    }
}
