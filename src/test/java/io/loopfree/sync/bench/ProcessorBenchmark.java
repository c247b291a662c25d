package io.loopfree.sync.bench;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.loopfree.sync.adapters.dynamodb.DynamoMarkerStore;
import io.loopfree.sync.adapters.dynamodb.DynamoSyncLedger;
import io.loopfree.sync.adapters.mapping.ClasspathMappingRepository;
import io.loopfree.sync.domain.envelope.EnvelopeCodec;
import io.loopfree.sync.app.ProcessorService;
import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.change.Change;
import io.loopfree.sync.domain.change.ChangeMapping;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.app.OutboundSender;
import io.loopfree.sync.domain.marker.MarkedWrite;
import io.loopfree.sync.domain.marker.Marker;
import io.loopfree.sync.domain.outbound.OutboundResponse;
import io.loopfree.sync.domain.outbound.OutboundTarget;
import io.loopfree.sync.domain.outbound.OutboundWrite;
import io.loopfree.sync.ports.OutboundClient;
import io.loopfree.sync.domain.marker.MarkerKey;
import io.loopfree.sync.support.EmbeddedAws;
import io.loopfree.sync.support.Fixtures;
import io.loopfree.sync.support.SyncResources;
import io.smallrye.config.SmallRyeConfigBuilder;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * {@code ./mvnw -Pbench -Dbench=ProcessorBenchmark}: the processor with its real adapters against DynamoDB Local
 * (in this JVM, over the wire), over a mixed stream of recorded events — new, duplicate, echo by marker, echo by
 * actor, no net change — printing events/s and DynamoDB requests per event by outcome, counted by an SDK
 * {@link ExecutionInterceptor} on the client (one per API call; SDK retries would show as extra attempts, not
 * calls). Targets: duplicate 1, echo by marker ≤ 2, new non-echo event ≤ 3 before fan-out.
 * Bounded: {@value #ROUNDS} rounds of 5 events, well under a minute on 2 cores.
 */
public final class ProcessorBenchmark {

    static final int ROUNDS = 200;
    static final int WARMUP_ROUNDS = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Counts DynamoDB API calls made on this thread, by operation, and keeps the requests themselves. */
    static final class RequestCounter implements ExecutionInterceptor {
        private final ThreadLocal<Map<String, Integer>> calls = ThreadLocal.withInitial(TreeMap::new);
        private final ThreadLocal<List<SdkRequest>> requests = ThreadLocal.withInitial(ArrayList::new);

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            calls.get().merge(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME), 1, Integer::sum);
            requests.get().add(context.request());
        }

        Map<String, Integer> take() {
            Map<String, Integer> taken = new TreeMap<>(calls.get());
            calls.get().clear();
            return taken;
        }

        List<SdkRequest> takeRequests() {
            List<SdkRequest> taken = List.copyOf(requests.get());
            requests.get().clear();
            return taken;
        }
    }

    record Stat(List<Integer> requests, Map<String, Integer> operations, List<Long> nanos, List<Long> rawNanos) {
        Stat() {
            this(new ArrayList<>(), new TreeMap<>(), new ArrayList<>(), new ArrayList<>());
        }
    }

    /**
     * Issues the same requests again with a plain client (no interceptor), in order, and times them: what the
     * event's DynamoDB work costs without our code around it. The replayed writes' conditions fail now (the item
     * was written by the original), which DynamoDB answers as an error after the same condition evaluation.
     */
    static long replay(DynamoDbClient raw, List<SdkRequest> requests) {
        long t0 = System.nanoTime();
        for (SdkRequest request : requests) {
            try {
                if (request instanceof software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest r) {
                    raw.batchGetItem(r);
                } else if (request instanceof software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest r) {
                    raw.transactWriteItems(r);
                } else if (request instanceof software.amazon.awssdk.services.dynamodb.model.PutItemRequest r) {
                    raw.putItem(r);
                } else if (request instanceof software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest r) {
                    raw.updateItem(r);
                } else if (request instanceof software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest r) {
                    raw.deleteItem(r);
                } else if (request instanceof software.amazon.awssdk.services.dynamodb.model.GetItemRequest r) {
                    raw.getItem(r);
                } else {
                    throw new IllegalStateException("no replay for " + request.getClass().getSimpleName());
                }
            } catch (software.amazon.awssdk.services.dynamodb.model.DynamoDbException conditionNowFails) {
                // answered: the round trip is what is measured
            }
        }
        return System.nanoTime() - t0;
    }

    /** A DynamoDB client of the embedded backend whose every API call {@code counter} counts. */
    static DynamoDbClient countingClient(EmbeddedAws aws, RequestCounter counter) {
        return DynamoDbClient.builder()
                .endpointOverride(aws.dynamoEndpoint())
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("test", "test")))
                .httpClientBuilder(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(counter))
                .build();
    }

    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        EmbeddedAws aws = EmbeddedAws.start();
        RequestCounter counter = new RequestCounter();
        try (DynamoDbClient admin = aws.dynamoClient(); DynamoDbClient dynamo = countingClient(aws, counter)) {
            SyncResources.createTables(admin);
            SyncConfig config = new SmallRyeConfigBuilder()
                    .withMapping(SyncConfig.class)
                    // Quarkus' own converter, for the "72h" / "20s" forms the defaults use
                    .withConverter(Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                    .withDefaultValues(Map.of(
                            "sync.queue-url", "unused-by-the-processor",
                            "sync.tables.events", SyncResources.EVENTS_TABLE,
                            "sync.tables.state", SyncResources.STATE_TABLE,
                            "sync.identities.hubspot", "987654"))
                    .build()
                    .getConfigMapping(SyncConfig.class);
            ClasspathMappingRepository mappings = new ClasspathMappingRepository();
            DynamoMarkerStore markers = new DynamoMarkerStore(dynamo, config);
            // no connection: the change is applied to the sync state and written nowhere (FanOutBenchmark has targets)
            OutboundClient noCalls = new OutboundClient() {
                @Override
                public OutboundResponse write(OutboundWrite write, java.util.Optional<Instant> lastSeen, Instant deadline) {
                    throw new IllegalStateException("no outbound call expected");
                }

                @Override
                public OutboundResponse fetch(OutboundTarget target, String resource, String recordId, Instant deadline) {
                    throw new IllegalStateException("no outbound call expected");
                }

                @Override
                public PageResult list(OutboundTarget target, String resource, Instant since,
                        java.util.Optional<String> cursor, Instant deadline) {
                    throw new IllegalStateException("no outbound call expected");
                }
            };
            DynamoSyncLedger ledger = new DynamoSyncLedger(dynamo, config);
            OutboundSender sender = new OutboundSender(noCalls, profile -> java.util.Optional.empty(),
                    new io.loopfree.sync.app.SyncMetrics((name, value, unit, dimensions, properties) -> { }), Clock.systemUTC(),
                    config);
            io.loopfree.sync.adapters.dynamodb.DynamoBreakerStore breakers =
                    new io.loopfree.sync.adapters.dynamodb.DynamoBreakerStore(dynamo, config);
            io.loopfree.sync.app.SafetyValves valves = new io.loopfree.sync.app.SafetyValves(breakers,
                    profile -> java.util.Optional.empty(), (name, value, unit, dimensions, properties) -> { },
                    (drain, now) -> { }, Clock.systemUTC(), config);
            io.loopfree.sync.app.AccountOperations accounts = new io.loopfree.sync.app.AccountOperations(breakers,
                    new io.loopfree.sync.app.PendingWrites(ledger, sender, valves, Clock.systemUTC(), config),
                    (drain, now) -> { }, Clock.systemUTC(), config);
            io.loopfree.sync.ports.ConnectionRepository noConnections = new io.loopfree.sync.ports.ConnectionRepository() {
                @Override
                public java.util.Optional<io.loopfree.sync.domain.connection.Connection> find(String tenant,
                        String resource) {
                    return java.util.Optional.empty();
                }

                @Override
                public java.util.List<io.loopfree.sync.domain.connection.Connection> all(
                        java.util.function.Consumer<String> invalid) {
                    return java.util.List.of();
                }
            };
            ProcessorService processor = new ProcessorService(mappings, ledger, noConnections, noCalls, sender, valves,
                    accounts, Clock.systemUTC(), config);

            String appEvent = Fixtures.event("processor", "scenario-duplicate.json");
            String actorEcho = Fixtures.event("processor", "scenario-echo-actor.json");
            Map<String, Stat> stats = new LinkedHashMap<>();
            int measured = 0;
            long measuredNanos = 0;
            for (int round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
                boolean warmup = round < WARMUP_ROUNDS;
                String r = "r" + round;
                Envelope fresh = envelope(appEvent, "msg_dup_01", "msg_new_" + r, "c_dup", "c_bench_" + r);
                Envelope redelivered = fresh;
                Envelope sameState = envelope(appEvent, "msg_dup_01", "msg_same_" + r, "c_dup", "c_bench_" + r);
                Envelope echo = envelope(appEvent, "msg_dup_01", "msg_echo_" + r, "c_dup", "c_echo_" + r);
                Envelope actor = envelope(actorEcho, "1846002001", "18460" + (10000 + round), "1246970", "77" + round);
                // what the fan-out does before writing c_echo_<r> to the app (its request is fan-out's, not counted)
                markers.put(new Marker(new MarkerKey("acme", "app", "contact", "app:c_echo_" + r),
                        List.of(new MarkedWrite("tok-" + r, hash(mappings, echo), null, "hubspot:bench", Instant.now(),
                                Instant.now().plus(Duration.ofMinutes(5))))));
                counter.take();
                for (Map.Entry<String, Supplier<Envelope>> event : List.<Map.Entry<String, Supplier<Envelope>>>of(
                        Map.entry("new (applied)", () -> fresh),
                        Map.entry("duplicate", () -> redelivered),
                        Map.entry("echo by marker", () -> echo),
                        Map.entry("echo by actor", () -> actor),
                        Map.entry("no net change", () -> sameState))) {
                    long t0 = System.nanoTime();
                    String outcome = processor.process(event.getValue().get()).outcome().label();
                    long nanos = System.nanoTime() - t0;
                    Map<String, Integer> calls = counter.take();
                    long rawNanos = replay(admin, counter.takeRequests());
                    if (warmup) {
                        continue;
                    }
                    measured++;
                    measuredNanos += nanos;
                    Stat stat = stats.computeIfAbsent(event.getKey() + " → " + outcome, k -> new Stat());
                    stat.requests().add(calls.values().stream().mapToInt(Integer::intValue).sum());
                    calls.forEach((op, n) -> stat.operations().merge(op, n, Integer::sum));
                    stat.nanos().add(nanos);
                    stat.rawNanos().add(rawNanos);
                }
            }
            print(stats, measured, measuredNanos, System.nanoTime() - started);
        } finally {
            aws.close();
        }
        System.exit(0);
    }

    private static void print(Map<String, Stat> stats, int events, long nanos, long wall) {
        System.out.println();
        System.out.printf("ProcessorBenchmark: %d events (%d rounds of 5 after %d warm-up rounds), DynamoDB Local in-process%n",
                events, ROUNDS, WARMUP_ROUNDS);
        System.out.printf("throughput: %.0f events/s (one thread; processing time only), run took %.1f s%n%n",
                events / (nanos / 1e9), wall / 1e9);
        System.out.printf("%-40s %7s %9s %9s %9s  %-42s %s%n", "event → outcome", "events", "req/event", "max req",
                "ms p50", "DynamoDB calls (total)", "target");
        stats.forEach((name, stat) -> {
            double mean = stat.requests().stream().mapToInt(Integer::intValue).average().orElse(0);
            int max = stat.requests().stream().mapToInt(Integer::intValue).max().orElse(0);
            List<Long> sorted = stat.nanos().stream().sorted().toList();
            double p50 = sorted.get(sorted.size() / 2) / 1e6;
            System.out.printf("%-40s %7d %9.2f %9d %9.2f  %-42s %s%n", name, stat.requests().size(), mean, max, p50,
                    stat.operations(), target(name, max));
        });
        System.out.println();
        System.out.println("(applied: requests include the finish after fan-out; before fan-out it is one fewer)");
        System.out.println();
        System.out.println("Processing time vs the same DynamoDB requests issued raw in the same run (goal <= 1.2x):");
        System.out.printf("%-40s %12s %12s %8s%n", "event → outcome", "process p50", "raw p50", "ratio");
        stats.forEach((name, stat) -> {
            double p50 = median(stat.nanos()) / 1e6;
            double raw = median(stat.rawNanos()) / 1e6;
            String ratio = raw < 0.001 ? "n/a (no request)" : String.format("%.2fx %s", p50 / raw, p50 / raw <= 1.2 ? "ok" : "MISSED");
            System.out.printf("%-40s %9.2f ms %9.2f ms   %s%n", name, p50, raw, ratio);
        });
    }

    private static double median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static String target(String name, int max) {
        if (name.startsWith("duplicate")) {
            return max <= 1 ? "= 1  ok" : "= 1  MISSED";
        }
        if (name.startsWith("echo by marker")) {
            return max <= 2 ? "<= 2  ok" : "<= 2  MISSED";
        }
        if (name.startsWith("new")) {
            return max - 1 <= 3 ? "<= 3 before fan-out  ok" : "<= 3 before fan-out  MISSED";
        }
        return "";
    }

    private static String hash(ClasspathMappingRepository mappings, Envelope envelope) {
        Change change = ((ChangeMapping.Mapped) mappings.find(envelope.system()).orElseThrow().normalize(envelope)).change();
        return change.fields().hash();
    }

    private static Envelope envelope(String event, String... renames) throws Exception {
        String text = event;
        for (int i = 0; i < renames.length; i += 2) {
            text = text.replace(renames[i], renames[i + 1]);
        }
        JsonNode record = JSON.readTree(text).path("Records").get(0);
        return EnvelopeCodec.decode(record.path("body").asText());
    }
}
