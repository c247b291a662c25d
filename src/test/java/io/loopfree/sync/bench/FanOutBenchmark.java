package io.loopfree.sync.bench;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.loopfree.sync.adapters.dynamodb.ConnectionSeeds;
import io.loopfree.sync.adapters.dynamodb.DynamoConnectionRepository;
import io.loopfree.sync.adapters.dynamodb.DynamoSyncLedger;
import io.loopfree.sync.adapters.http.HttpOutboundClient;
import io.loopfree.sync.adapters.http.JsonOutboundProfileRepository;
import io.loopfree.sync.adapters.mapping.ClasspathMappingRepository;
import io.loopfree.sync.app.OutboundSender;
import io.loopfree.sync.app.ProcessorService;
import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.local.sandbox.SandboxConfig;
import io.loopfree.sync.local.sandbox.SandboxProvider;
import io.loopfree.sync.support.EmbeddedAws;
import io.loopfree.sync.support.SyncResources;
import io.smallrye.config.SmallRyeConfigBuilder;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * {@code ./mvnw -Pbench -Dbench=FanOutBenchmark}: the processor with its real adapters (DynamoDB Local in this JVM,
 * over the wire; the JDK HTTP client) fanning changes of the customer's app out to 1, 2 and 5 live sandbox CRMs.
 * Per applied change it prints the DynamoDB requests (counted per API call by an SDK interceptor), the outbound HTTP
 * writes per target (from the sandboxes' audit logs) and the throughput, for a create (targets' state unknown) and
 * for an edit of one field (targets' state known). Goal: DynamoDB requests ≤ 4 whatever the number of targets;
 * ≤ 1 write per target. Bounded: {@value #RECORDS} records per target count.
 * <p>
 * Then the same with 2 targets whose updates are guarded (issue 17, part 3): conditional writes (profile
 * sandbox-conditional on sandboxes with the conditional-writes variety: no extra call) and guard reads (profile
 * sandbox-guard-read: one GET before each update of a known record). It prints the engine's HTTP GETs per write,
 * counted at the sandboxes: what the guard read costs, only where the API has no precondition.
 */
public final class FanOutBenchmark {

    static final int RECORDS = 60;
    static final int WARMUP = 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    record Row(String name, int targets, String profile, int changes, double requestsPerChange, int maxRequests,
            Map<String, Integer> operations, double writesPerTarget, double getsPerWrite, double changesPerSecond,
            double p50Millis) {
    }

    /** A run: how many targets, written through which profile, on sandboxes with which varieties. */
    record Setup(int targets, String profile, boolean conditionalWrites) {
    }

    public static void main(String[] args) throws Exception {
        EmbeddedAws aws = EmbeddedAws.start();
        ProcessorBenchmark.RequestCounter counter = new ProcessorBenchmark.RequestCounter();
        Path mappingsDir = Files.createTempDirectory("fanout-bench-mappings");
        List<Row> rows = new ArrayList<>();
        try (DynamoDbClient admin = aws.dynamoClient();
                DynamoDbClient dynamo = ProcessorBenchmark.countingClient(aws, counter)) {
            SyncResources.createTables(admin);
            // five more CRMs: the sandbox-rich mapping under other system names
            String rich = new String(FanOutBenchmark.class.getClassLoader()
                    .getResourceAsStream("mappings/sandbox-rich.json").readAllBytes(), StandardCharsets.UTF_8);
            for (int i = 1; i <= 5; i++) {
                Files.writeString(mappingsDir.resolve("crm-" + i + ".json"),
                        rich.replace("\"system\": \"sandbox-rich\"", "\"system\": \"crm-" + i + "\""));
            }
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("sync.queue-url", "unused-by-the-processor");
            settings.put("sync.tables.events", SyncResources.EVENTS_TABLE);
            settings.put("sync.tables.state", SyncResources.STATE_TABLE);
            settings.put("sync.mappings.dir", mappingsDir.toString());
            SyncConfig config = new SmallRyeConfigBuilder()
                    .withMapping(SyncConfig.class)
                    .withConverter(Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                    .withDefaultValues(settings)
                    .build()
                    .getConfigMapping(SyncConfig.class);
            Clock clock = Clock.systemUTC();
            HttpOutboundClient http = new HttpOutboundClient(new JsonOutboundProfileRepository(Optional.empty()),
                    (system, tenant, purpose) -> List.of("engine-token"), clock, config);
            DynamoSyncLedger ledger = new DynamoSyncLedger(dynamo, config);
            OutboundSender sender = new OutboundSender(http, new JsonOutboundProfileRepository(Optional.empty()),
                    new io.loopfree.sync.app.SyncMetrics((name, value, unit, dimensions, properties) -> { }), clock, config,
                    new ClasspathMappingRepository(config), envelopes -> {
                        throw new IllegalStateException("nobody edits the CRMs here: no newer value to enqueue");
                    });
            io.loopfree.sync.adapters.dynamodb.DynamoBreakerStore breakers =
                    new io.loopfree.sync.adapters.dynamodb.DynamoBreakerStore(dynamo, config);
            io.loopfree.sync.app.SafetyValves valves = new io.loopfree.sync.app.SafetyValves(breakers,
                    new JsonOutboundProfileRepository(Optional.empty()), (name, value, unit, dimensions, properties) -> { },
                    (drain, now) -> { }, clock, config);
            io.loopfree.sync.app.PendingWrites pending = new io.loopfree.sync.app.PendingWrites(ledger, sender, valves,
                    clock, config);
            ProcessorService processor = new ProcessorService(new ClasspathMappingRepository(config), ledger,
                    new DynamoConnectionRepository(dynamo, new JsonOutboundProfileRepository(Optional.empty()), config, clock), http, sender, valves,
                    new io.loopfree.sync.app.AccountOperations(breakers, pending, (drain, now) -> { }, clock, config), clock, config);

            for (Setup setup : List.of(new Setup(1, "sandbox", false), new Setup(2, "sandbox", false),
                    new Setup(5, "sandbox", false), new Setup(2, "sandbox-conditional", true),
                    new Setup(2, "sandbox-guard-read", false))) {
                int targets = setup.targets();
                String tenant = "bench" + targets + setup.profile().replace("sandbox", "");
                List<SandboxProvider> crms = new ArrayList<>();
                java.util.concurrent.atomic.AtomicLong gets = new java.util.concurrent.atomic.AtomicLong();
                for (int i = 1; i <= targets; i++) {
                    SandboxConfig crmConfig = SandboxConfig.of("crm-" + i, tenant);
                    SandboxProvider crm = SandboxProvider.start(setup.conditionalWrites()
                            ? crmConfig.withVariety(SandboxConfig.Variety.CONDITIONAL_WRITES) : crmConfig);
                    crm.intercept(request -> {
                        if (request.method().equals("GET") && request.header("Authorization").isPresent()) {
                            gets.incrementAndGet(); // the engine's reads (the sandbox's audit logs writes only)
                        }
                        return null;
                    });
                    crms.add(crm);
                }
                seed(admin, tenant, crms, setup.profile());
                Map<String, Stat> stats = new LinkedHashMap<>();
                for (int r = 0; r < WARMUP + RECORDS; r++) {
                    boolean measured = r >= WARMUP;
                    String id = "c_" + r;
                    java.util.function.LongSupplier engineWrites = () -> crms.stream().mapToLong(crm -> crm.audit()
                            .writes().stream().filter(w -> "engine".equals(w.by())).count()).sum();
                    run(processor, counter, stats, measured, "create (targets' state unknown)",
                            appEvent(tenant, "msg_new_" + r, id, "Ada Lovelace " + r), gets::get, engineWrites);
                    run(processor, counter, stats, measured, "edit one field (targets' state known)",
                            appEvent(tenant, "msg_edit_" + r, id, "Augusta Lovelace " + r), gets::get, engineWrites);
                }
                long writes = crms.stream().mapToLong(crm -> crm.audit().writes().stream()
                        .filter(w -> "engine".equals(w.by())).count()).sum();
                stats.forEach((name, stat) -> rows.add(stat.row(name, targets, setup.profile(),
                        (double) writes / (2.0 * (WARMUP + RECORDS)) / targets,
                        stat.writes == 0 ? 0 : (double) stat.gets / stat.writes)));
                crms.forEach(SandboxProvider::close);
            }
        } finally {
            aws.close();
        }
        print(rows);
        System.exit(0);
    }

    static final class Stat {
        final List<Integer> requests = new ArrayList<>();
        final Map<String, Integer> operations = new TreeMap<>();
        final List<Long> nanos = new ArrayList<>();
        long gets;
        long writes;

        Row row(String name, int targets, String profile, double writesPerTarget, double getsPerWrite) {
            List<Long> sorted = nanos.stream().sorted().toList();
            long total = nanos.stream().mapToLong(Long::longValue).sum();
            return new Row(name, targets, profile, requests.size(),
                    requests.stream().mapToInt(i -> i).average().orElse(0),
                    requests.stream().mapToInt(i -> i).max().orElse(0), operations, writesPerTarget, getsPerWrite,
                    requests.size() / (total / 1e9), sorted.get(sorted.size() / 2) / 1e6);
        }
    }

    private static void run(ProcessorService processor, ProcessorBenchmark.RequestCounter counter,
            Map<String, Stat> stats, boolean measured, String name, Envelope envelope,
            java.util.function.LongSupplier gets, java.util.function.LongSupplier writes) {
        long getsBefore = gets.getAsLong();
        long writesBefore = writes.getAsLong();
        counter.take();
        long t0 = System.nanoTime();
        String outcome = processor.process(envelope).outcome().label();
        long nanos = System.nanoTime() - t0;
        Map<String, Integer> calls = counter.take();
        if (!"applied".equals(outcome)) {
            throw new IllegalStateException(name + " ended " + outcome);
        }
        if (measured) {
            Stat stat = stats.computeIfAbsent(name, k -> new Stat());
            stat.requests.add(calls.values().stream().mapToInt(Integer::intValue).sum());
            calls.forEach((op, n) -> stat.operations.merge(op, n, Integer::sum));
            stat.nanos.add(nanos);
            stat.gets += gets.getAsLong() - getsBefore;
            stat.writes += writes.getAsLong() - writesBefore;
        }
    }

    private static void seed(DynamoDbClient dynamo, String tenant, List<SandboxProvider> crms, String profile) {
        ObjectNode connection = JSON.createObjectNode();
        connection.put("tenant", tenant);
        connection.put("resource", "contact");
        ArrayNode systems = connection.putArray("systems");
        systems.addObject().put("system", "app").put("account", tenant).put("profile", "app")
                .putObject("params").put("baseUrl", "http://127.0.0.1:1");
        for (SandboxProvider crm : crms) {
            systems.addObject().put("system", crm.config().system()).put("account", crm.config().account())
                    .put("profile", profile).putObject("params")
                    .put("baseUrl", crm.baseUrl().toString().replaceAll("/$", ""));
        }
        ConnectionSeeds.seed(dynamo, SyncResources.STATE_TABLE, new ByteArrayInputStream(
                JSON.createArrayNode().add(connection).toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static Envelope appEvent(String tenant, String eventId, String id, String name) {
        String body = "{\"type\":\"contact.updated\",\"timestamp\":\"" + Instant.now() + "\",\"data\":{\"id\":\"" + id
                + "\",\"email\":\"" + id + "@example.com\",\"name\":\"" + name + "\"}}";
        return Envelope.of("app", tenant, eventId, Instant.now(), Map.of("webhook-id", eventId),
                body.getBytes(StandardCharsets.UTF_8));
    }

    private static void print(List<Row> rows) {
        System.out.println();
        System.out.printf("FanOutBenchmark: %d records per target count (after %d warm-up), each created then edited in the"
                + " app; DynamoDB Local and the sandboxes in this JVM%n%n", RECORDS, WARMUP);
        System.out.printf("%-40s %7s %-20s %8s %9s %8s %12s %10s %10s %8s  %s%n", "applied change", "targets",
                "profile", "changes", "req/chg", "max req", "writes/tgt", "GETs/write", "changes/s", "ms p50",
                "DynamoDB calls (total)");
        for (Row row : rows) {
            System.out.printf("%-40s %7d %-20s %8d %9.2f %8d %12.2f %10.2f %10.0f %8.2f  %s%n", row.name(),
                    row.targets(), row.profile(), row.changes(), row.requestsPerChange(), row.maxRequests(),
                    row.writesPerTarget(), row.getsPerWrite(), row.changesPerSecond(), row.p50Millis(),
                    row.operations());
        }
        rows.stream().filter(row -> !row.profile().equals("sandbox")).forEach(row -> System.out.printf(
                "guard cost, %s, %s: %.2f HTTP GETs per write%n", row.profile(), row.name(), row.getsPerWrite()));
        int worst = rows.stream().mapToInt(Row::maxRequests).max().orElse(0);
        System.out.printf("%nDynamoDB requests per applied change: at most %d (goal <= 4, independent of targets: %s)%n",
                worst, worst <= 4 ? "ok" : "MISSED");
    }
}
