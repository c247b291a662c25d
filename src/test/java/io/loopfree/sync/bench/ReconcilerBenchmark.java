package io.loopfree.sync.bench;

import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

import io.loopfree.sync.adapters.dynamodb.ConnectionSeeds;
import io.loopfree.sync.adapters.dynamodb.DynamoConnectionRepository;
import io.loopfree.sync.adapters.dynamodb.DynamoSyncLedger;
import io.loopfree.sync.adapters.dynamodb.DynamoWatermarkStore;
import io.loopfree.sync.adapters.http.JsonOutboundProfileRepository;
import io.loopfree.sync.adapters.mapping.ClasspathMappingRepository;
import io.loopfree.sync.adapters.sqs.SqsEnvelopeQueue;
import io.loopfree.sync.app.ListingGuard;
import io.loopfree.sync.app.OutboundSender;
import io.loopfree.sync.app.PendingWrites;
import io.loopfree.sync.app.ReconcilerService;
import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.outbound.OutboundResponse;
import io.loopfree.sync.domain.outbound.OutboundTarget;
import io.loopfree.sync.domain.outbound.OutboundWrite;
import io.loopfree.sync.domain.reconcile.ReconcileJob;
import io.loopfree.sync.ports.OutboundClient;
import io.loopfree.sync.support.AwsBackend;
import io.loopfree.sync.support.EmbeddedAws;
import io.loopfree.sync.support.SqsRequestRecorder;
import io.loopfree.sync.support.SyncResources;
import io.loopfree.sync.support.TestConfigs;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * {@code ./mvnw -Pbench -Dbench=ReconcilerBenchmark}: the real reconciler run (ReconcilerService with its real
 * adapters: connections and watermarks in DynamoDB Local, the sandbox-rich mapping, SqsEnvelopeQueue over the SDK to
 * ElasticMQ, all in this JVM) over a synthetic system that lists N records, 100 per page, generated page by page
 * (like a remote API: nothing of it is held in this JVM). Measures records/s listed and enqueued, SQS requests per
 * 10 records, DynamoDB requests per run, and the used heap (after a full GC) sampled while listing and after the
 * run, for 1k and 100k records. The queue is purged every 50 pages so that ElasticMQ's own storage (same JVM) does
 * not count as the reconciler's memory. A command, not a test.
 */
public final class ReconcilerBenchmark {

    static final int PAGE = 100;
    static final int SAMPLE_EVERY_PAGES = 50;

    /** Counts DynamoDB API calls, by operation. */
    static final class DynamoCounter implements ExecutionInterceptor {
        final Map<String, Integer> calls = new TreeMap<>();

        @Override
        public synchronized void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            calls.merge(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME), 1, Integer::sum);
        }

        synchronized Map<String, Integer> take() {
            Map<String, Integer> taken = new TreeMap<>(calls);
            calls.clear();
            return taken;
        }
    }

    /** A system with {@code total} contacts changed one millisecond apart, listed 100 per page. */
    static final class SyntheticSystem implements OutboundClient {
        final Instant base = Instant.parse("2026-11-20T08:00:00Z");
        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        final SqsClient sqs;
        final String queueUrl;
        int total;
        long maxSampledHeap;

        SyntheticSystem(SqsClient sqs, String queueUrl) {
            this.sqs = sqs;
            this.queueUrl = queueUrl;
        }

        @Override
        public PageResult list(OutboundTarget target, String resource, Instant since, Optional<String> cursor,
                Instant deadline) {
            int from = cursor.map(Integer::parseInt).orElse(0);
            int page = from / PAGE;
            if (page > 0 && page % SAMPLE_EVERY_PAGES == 0) {
                sqs.purgeQueue(b -> b.queueUrl(queueUrl));
                maxSampledHeap = Math.max(maxSampledHeap, usedHeapAfterGc(memory));
            }
            int to = Math.min(total, from + PAGE);
            List<Map<String, Object>> records = new ArrayList<>(to - from);
            List<String> json = new ArrayList<>(to - from);
            for (int i = from; i < to; i++) {
                String updatedAt = base.plusMillis(i).toString();
                Map<String, Object> record = new LinkedHashMap<>();
                record.put("id", "rich_" + i);
                record.put("email", "person" + i + "@example.com");
                record.put("firstname", "Person");
                record.put("lastname", "Number " + i);
                record.put("phone", "+44 20 7946 " + (1000 + i % 9000));
                record.put("hs_email_optout", i % 7 == 0);
                record.put("updated_at", updatedAt);
                records.add(record);
                json.add("{\"id\":\"rich_" + i + "\",\"email\":\"person" + i + "@example.com\",\"firstname\":\"Person\","
                        + "\"lastname\":\"Number " + i + "\",\"phone\":\"+44 20 7946 " + (1000 + i % 9000)
                        + "\",\"hs_email_optout\":" + (i % 7 == 0) + ",\"updated_at\":\"" + updatedAt + "\"}");
            }
            Optional<String> next = to < total ? Optional.of(Integer.toString(to)) : Optional.empty();
            return new PageResult(new OutboundResponse.Done(200, null, Map.of(), Map.of()),
                    Optional.of(new Page(records, next, json)));
        }

        @Override
        public OutboundResponse write(OutboundWrite write, Optional<Instant> lastSeen, Instant deadline) {
            throw new IllegalStateException("the reconciler writes nothing");
        }

        @Override
        public OutboundResponse fetch(OutboundTarget target, String resource, String recordId, Instant deadline) {
            throw new IllegalStateException("the reconciler fetches nothing");
        }
    }

    record Figures(int records, double seconds, long sqsRequests, List<Integer> batchSizes, Map<String, Integer> dynamo,
            long heapDuringMb, long heapAfterKb, String status) {
    }

    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        DynamoCounter counter = new DynamoCounter();
        SqsRequestRecorder recorder = new SqsRequestRecorder();
        try (EmbeddedAws aws = EmbeddedAws.start();
                DynamoDbClient admin = aws.dynamoClient();
                DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(aws.dynamoEndpoint())
                        .region(Region.of(AwsBackend.REGION))
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                        .httpClientBuilder(UrlConnectionHttpClient.builder())
                        .overrideConfiguration(o -> o.addExecutionInterceptor(counter)).build();
                SqsClient sqs = SqsClient.builder().endpointOverride(aws.sqsEndpoint()).region(Region.of(AwsBackend.REGION))
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                        .httpClientBuilder(UrlConnectionHttpClient.builder())
                        .overrideConfiguration(c -> c.addExecutionInterceptor(recorder)).build()) {
            SyncResources.createTables(admin);
            String queueUrl = SyncResources.createQueues(sqs, "bench-changes", 3, Duration.ofSeconds(30)).queueUrl();
            Map<String, String> settings = new HashMap<>();
            settings.put("sync.queue-url", queueUrl);
            settings.put("sync.tables.events", SyncResources.EVENTS_TABLE);
            settings.put("sync.tables.state", SyncResources.STATE_TABLE);
            settings.put("sync.reconciler.time-budget", "1h");
            SyncConfig config = TestConfigs.syncConfig(settings);
            String connection = """
                    [{"tenant": "bench", "resource": "contact", "ownership": {"rule": "last-write-wins"},
                      "systems": [{"system": "sandbox-rich", "account": "rich", "profile": "sandbox",
                                   "params": {"baseUrl": "http://127.0.0.1:9"}},
                                  {"system": "app", "account": "bench", "profile": "sandbox",
                                   "params": {"baseUrl": "http://127.0.0.1:9"}}]}]""";
            ConnectionSeeds.seed(admin, SyncResources.STATE_TABLE,
                    new ByteArrayInputStream(connection.getBytes(StandardCharsets.UTF_8)));

            SyntheticSystem system = new SyntheticSystem(sqs, queueUrl);
            Clock clock = Clock.systemUTC();
            DynamoSyncLedger ledger = new DynamoSyncLedger(dynamo, config);
            io.loopfree.sync.app.SafetyValves valves = new io.loopfree.sync.app.SafetyValves(
                    new io.loopfree.sync.adapters.dynamodb.DynamoBreakerStore(dynamo, config),
                    new JsonOutboundProfileRepository(Optional.empty()), (name, value, unit, dimensions, properties) -> { },
                    (drain, now) -> { }, clock, config);
            SqsEnvelopeQueue queue = new SqsEnvelopeQueue(new io.loopfree.sync.adapters.sqs.SqsSender(sqs, config));
            DynamoWatermarkStore watermarks = new DynamoWatermarkStore(dynamo, config);
            ClasspathMappingRepository mappings = new ClasspathMappingRepository();
            ListingGuard guard = new ListingGuard(valves);
            ReconcilerService reconciler = new ReconcilerService(new DynamoConnectionRepository(dynamo, new JsonOutboundProfileRepository(Optional.empty()), config, clock),
                    new JsonOutboundProfileRepository(Optional.empty()), system, mappings, queue, watermarks,
                    new PendingWrites(ledger, new OutboundSender(system, new JsonOutboundProfileRepository(Optional.empty()),
                            new io.loopfree.sync.app.SyncMetrics((name, value, unit, dimensions, properties) -> { }), clock, config), valves, clock, config),
                    guard, clock, config, new io.loopfree.sync.app.InitialMatching(
                            new io.loopfree.sync.adapters.dynamodb.DynamoMatchStore(dynamo, config), system, mappings,
                            queue, watermarks, guard, clock, config));
            ReconcilerService.RunRequest request = new ReconcilerService.RunRequest(Optional.of("bench"),
                    Optional.of(new ReconcileJob("bench", "sandbox-rich", "rich", "contact")), true, OptionalInt.empty());

            run(reconciler, request, system, 1_000, counter, recorder, sqs, queueUrl); // warm-up
            List<Figures> figures = new ArrayList<>();
            for (int records : new int[] { 1_000, 10_000, 100_000 }) {
                figures.add(run(reconciler, request, system, records, counter, recorder, sqs, queueUrl));
            }

            System.out.println();
            System.out.println("Reconciler benchmark: ReconcilerService + real adapters -> DynamoDB Local and ElasticMQ "
                    + "(in-process), synthetic system listing 100 per page, forced full resync of one job");
            System.out.println();
            System.out.println("| records | records/s listed+enqueued | SQS requests per 10 records | batch sizes | "
                    + "DynamoDB requests per run | heap while listing (MB) | heap after run (MB) | status |");
            System.out.println("|--------:|--------------------------:|----------------------------:|-------------|"
                    + "--------------------------|------------------------:|--------------------:|--------|");
            for (Figures f : figures) {
                int dynamoTotal = f.dynamo().values().stream().mapToInt(Integer::intValue).sum();
                System.out.printf(Locale.ROOT, "| %7d | %25.0f | %27.2f | %-11s | %d %-22s | %23s | %19.1f | %s |%n",
                        f.records(), f.records() / f.seconds(), f.sqsRequests() * 10.0 / f.records(),
                        f.batchSizes(), dynamoTotal, f.dynamo(), f.heapDuringMb() < 0 ? "-" : Long.toString(f.heapDuringMb()),
                        f.heapAfterKb() / 1024.0, f.status());
            }
            Figures small = figures.get(0);
            Figures large = figures.get(figures.size() - 1);
            System.out.println();
            double heapGrowth = 100.0 * (large.heapAfterKb() - small.heapAfterKb()) / small.heapAfterKb();
            System.out.printf(Locale.ROOT, "heap after the run, 100k vs 1k records: %+.1f%% (flat within ±10%%: %s)%n",
                    heapGrowth, Math.abs(heapGrowth) <= 10 ? "yes" : "NO");
            boolean oneRequestPerTen = figures.stream().allMatch(f -> f.sqsRequests() * 10 == f.records());
            System.out.printf(Locale.ROOT, "SQS requests per 10 records = 1 at every size: %s%n",
                    oneRequestPerTen ? "yes" : "NO");
            // the breaker is re-read every 30 s of listing (ListingGuard.Watch): bounded by time, not by records
            boolean sameDynamo = figures.stream().map(f -> {
                Map<String, Integer> calls = new TreeMap<>(f.dynamo());
                calls.remove("GetItem");
                return calls;
            }).distinct().count() == 1;
            System.out.printf(Locale.ROOT, "DynamoDB requests per run independent of the record count (GetItem, the "
                    + "breaker read every 30 s of listing, aside): %s (%s)%n", sameDynamo ? "yes" : "NO", small.dynamo());
            System.out.printf(Locale.ROOT, "total run time %.1f s%n", (System.nanoTime() - started) / 1e9);
        }
    }

    private static Figures run(ReconcilerService reconciler, ReconcilerService.RunRequest request, SyntheticSystem system,
            int records, DynamoCounter counter, SqsRequestRecorder recorder, SqsClient sqs, String queueUrl) {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        sqs.purgeQueue(b -> b.queueUrl(queueUrl));
        usedHeapAfterGc(memory);
        system.total = records;
        system.maxSampledHeap = -1;
        counter.take();
        recorder.reset();
        long t0 = System.nanoTime();
        ReconcilerService.RunSummary summary = reconciler.run(request);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Integer> dynamo = counter.take();
        long sqsRequests = recorder.operations().stream().filter(o -> o.startsWith("SendMessage")).count();
        List<Integer> sizes = recorder.batchSizes().stream().distinct().sorted().toList();
        sqs.purgeQueue(b -> b.queueUrl(queueUrl));
        long after = usedHeapAfterGc(memory);
        ReconcilerService.JobRun job = summary.jobs().get(0);
        if (job.records() != records) {
            throw new IllegalStateException("listed " + job.records() + " of " + records + ": " + job);
        }
        return new Figures(records, seconds, sqsRequests, sizes, dynamo,
                system.maxSampledHeap < 0 ? -1 : system.maxSampledHeap / (1024 * 1024), after / 1024, job.status());
    }

    static long usedHeapAfterGc(MemoryMXBean memory) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
