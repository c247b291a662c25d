package io.loopfree.sync.bench;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import io.loopfree.sync.domain.webhook.StandardWebhooksScheme;
import io.loopfree.sync.local.LocalEngine;
import io.loopfree.sync.support.EmbeddedAws;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * {@code ./mvnw -Pbench -Dbench=LocalEngineBenchmark package exec:exec}: the local run as a user meets it
 * ({@code function.zip} under AWS's runtime client, one JVM per instance, behind the local API Gateway), measured
 * from the outside. Prints one webhook's latency through the gateway beside the ingress handler's own duration
 * (Lambda's "Duration": from the runtime picking the invocation up to its response), then webhooks/s with
 * concurrent senders, and how long the processor takes to drain what they sent. Goals from issue 13: gateway p50
 * at most 4x the handler's, at least 100 webhooks/s. {@code -Dlocal.concurrency=N} (default 2) instances per
 * function; {@code -Dbench.senders}, {@code -Dbench.webhooks}.
 */
public final class LocalEngineBenchmark {

    static final int WARMUP = Integer.getInteger("bench.warmup", 300);
    static final int SEQUENTIAL = Integer.getInteger("bench.sequential", 300);
    static final int SENDERS = Integer.getInteger("bench.senders", 20);
    static final int WEBHOOKS = Integer.getInteger("bench.webhooks", 2000);
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public static void main(String[] args) throws Exception {
        Path functionZip = Path.of(System.getProperty("function.zip", "target/function.zip"));
        int concurrency = Integer.getInteger("local.concurrency", 2);
        long startedAt = System.nanoTime();
        try (LocalEngine engine = LocalEngine.start(new LocalEngine.Settings(functionZip, 0, EmbeddedAws.freePort(),
                EmbeddedAws.freePort(), Duration.ZERO, null, 3,
                new PrintStream(java.nio.file.Files.newOutputStream(Path.of("target", "local-engine-benchmark.log")), true),
                concurrency, LocalEngine.PROCESSOR_TIMEOUT))) {
            double startSeconds = (System.nanoTime() - startedAt) / 1e9;
            URI url = engine.webhookUrl("app", "acme");
            int refusedInWarmUp = 0;
            for (int i = 0; i < WARMUP; i++) {
                try {
                    send(url, "warm");
                } catch (IllegalStateException coldStart) {
                    if (refusedInWarmUp++ == 0) {
                        System.out.println("warm-up: " + coldStart.getMessage() + " (the engine's log: target/local-engine-benchmark.log)");
                    }
                }
            }
            drain(engine); // the sequential run starts on an idle engine
            engine.clearDurations("ingress");
            List<Double> gateway = new ArrayList<>();
            for (int i = 0; i < SEQUENTIAL; i++) {
                gateway.add(send(url, "seq"));
            }
            List<Double> handler = engine.durations("ingress").stream().map(n -> n / 1e6).toList();

            drain(engine); // the warm-up's and the sequential run's events: the burst starts on an idle engine
            Burst withProcessor = burst(url);
            double drainSeconds = drain(engine);
            double drainedBy = withProcessor.seconds() + drainSeconds;
            engine.pauseEventSource(); // the ingress path alone: the processor is not competing for the 2 cores
            Burst ingressOnly = burst(url);
            engine.resumeEventSource();
            drain(engine);

            double gatewayP50 = percentile(gateway, 50);
            double handlerP50 = percentile(handler, 50);
            double perSecond = withProcessor.perSecond();
            System.out.printf(Locale.ROOT, """

                    Local engine benchmark: function.zip under the Lambda runtime client, %d instance(s) of ingress and processor,
                    %d cores, engine start %.1f s, warm-up %d (%d not accepted)

                    | workload                                         | runs | p50 ms | p99 ms |
                    |--------------------------------------------------|-----:|-------:|-------:|
                    | ingress handler's own duration (runtime API)     | %4d | %6.2f | %6.2f |
                    | one webhook through the local gateway, 1 sender  | %4d | %6.2f | %6.2f |
                    | one webhook through the local gateway, %2d senders | %4d | %6.2f | %6.2f |
                    | same, event source paused (ingress path alone)    | %4d | %6.2f | %6.2f |

                    gateway / handler p50: %.2fx (goal <= 4x: %s)
                    %d senders, processor draining at the same time: %d webhooks accepted (202) in %.2f s = %.0f webhooks/s (goal >= 100: %s)
                    %d senders, event source paused: %d webhooks accepted in %.2f s = %.0f webhooks/s (goal >= 100: %s)
                    processor: queue drained %.1f s after the senders finished (%.0f events/s end to end)
                    """, concurrency, Runtime.getRuntime().availableProcessors(), startSeconds, WARMUP, refusedInWarmUp,
                    handler.size(), handlerP50, percentile(handler, 99),
                    gateway.size(), gatewayP50, percentile(gateway, 99),
                    SENDERS, withProcessor.latencies().size(), percentile(withProcessor.latencies(), 50),
                    percentile(withProcessor.latencies(), 99),
                    ingressOnly.latencies().size(), percentile(ingressOnly.latencies(), 50),
                    percentile(ingressOnly.latencies(), 99),
                    gatewayP50 / handlerP50, gatewayP50 / handlerP50 <= 4 ? "ok" : "MISSED",
                    SENDERS, withProcessor.accepted(), withProcessor.seconds(), perSecond, perSecond >= 100 ? "ok" : "MISSED",
                    SENDERS, ingressOnly.accepted(), ingressOnly.seconds(), ingressOnly.perSecond(),
                    ingressOnly.perSecond() >= 100 ? "ok" : "MISSED",
                    drainSeconds, withProcessor.accepted() / drainedBy);
        }
        System.exit(0);
    }

    record Burst(List<Double> latencies, int accepted, double seconds) {
        double perSecond() {
            return accepted / seconds;
        }
    }

    /** {@link #WEBHOOKS} webhooks from {@link #SENDERS} concurrent senders. */
    private static Burst burst(URI url) throws Exception {
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger accepted = new AtomicInteger();
        ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
        long start = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++) {
            done.add(senders.submit(() -> {
                for (int i = 0; i < WEBHOOKS / SENDERS; i++) {
                    latencies.add(send(url, "burst"));
                    accepted.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> future : done) {
            future.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        senders.shutdown();
        return new Burst(latencies, accepted.get(), seconds);
    }

    /** Seconds until the queue holds no visible and no in-flight message. */
    private static double drain(LocalEngine engine) throws InterruptedException {
        long start = System.nanoTime();
        try (SqsClient sqs = engine.aws().sqsClient()) {
            while (true) {
                var attributes = sqs.getQueueAttributes(b -> b.queueUrl(engine.queues().queueUrl()).attributeNames(
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
                if (attributes.values().stream().allMatch("0"::equals)) {
                    return (System.nanoTime() - start) / 1e9;
                }
                Thread.sleep(100); // a benchmark polling a queue, not a test waiting for an outcome
            }
        }
    }

    /** Sends one signed webhook; its latency in ms. */
    private static double send(URI url, String kind) throws Exception {
        String id = "msg_bench_" + kind + "_" + UUID.randomUUID().toString().replace("-", "");
        long timestamp = Instant.now().getEpochSecond();
        String body = "{\"type\":\"contact.updated\",\"timestamp\":\"" + Instant.now() + "\",\"data\":{\"id\":\"c_"
                + id.substring(id.length() - 8) + "\",\"email\":\"ada@example.com\"}}";
        HttpRequest request = HttpRequest.newBuilder(url).header("content-type", "application/json")
                .header("webhook-id", id).header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", StandardWebhooksScheme.sign(LocalEngine.DEMO_SECRET, id, timestamp,
                        body.getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long start = System.nanoTime();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        double millis = (System.nanoTime() - start) / 1e6;
        if (response.statusCode() != 202) {
            throw new IllegalStateException("webhook answered " + response.statusCode() + ": " + response.body());
        }
        return millis;
    }

    static double percentile(List<Double> values, int percentile) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
