package io.loopfree.sync.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.loopfree.sync.adapters.secrets.SecretValues;
import io.loopfree.sync.domain.webhook.StandardWebhooksScheme;
import io.loopfree.sync.support.AwsBackend;
import io.loopfree.sync.support.EmbeddedAws;
import io.loopfree.sync.support.SyncResources;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The whole engine on this machine, with no AWS account and no Docker: DynamoDB Local and ElasticMQ in this JVM;
 * the production {@code function.zip} run three times as Lambda runs it (one JVM per function, selected with
 * {@code QUARKUS_FUNQY_EXPORT}); an HTTP endpoint shaped like API Gateway in front of the ingress; an SQS poller
 * feeding the processor like Lambda's event source mapping; and the reconciler on a timer like EventBridge.
 * Run it with {@code ./mvnw -Plocal}; Ctrl-C stops everything.
 */
public final class LocalEngine implements AutoCloseable {

    /** The demo signing secret of tenant {@code acme} on system {@code app}; local runs only. */
    public static final String DEMO_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    /** Where a person puts their own secret for tenant acme of system app (the ingress reads it so). */
    static final String APP_SECRET_VARIABLE = "WEBHOOK_SECRETS_APP_ACME";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The processor's timeout in infra/template.yaml (ProcessorTimeout). */
    public static final Duration PROCESSOR_TIMEOUT = Duration.ofSeconds(30);
    /** infra/template.yaml's rule (AWS's advice for SQS event sources): visibility = 6 × the function timeout. */
    public static final int VISIBILITY_PER_TIMEOUT = 6;
    /** {@code sync.dedup.lease}'s default. */
    private static final Duration DEFAULT_LEASE = Duration.ofSeconds(20);

    /**
     * @param visibilityTimeout the queue's; null for the template's rule (6 × the processor's timeout)
     * @param concurrency instances of the ingress and of the processor each (Lambda's concurrency), and batches in
     *        flight at once; the reconciler runs one
     * @param processorTimeout the processor's function timeout
     * @param demoPort with the demo systems (the app and two sandbox CRMs of tenant acme, {@link DemoSystems}) on
     *        this port and the next two (0: free ports); -1 without them
     * @param functionEnvironment set on every function over the engine's own (e.g. {@code SYNC_RECONCILER_LEASE}
     *        shortened for a test), as a stack parameter would
     */
    public record Settings(Path functionZip, int httpPort, int dynamoPort, int sqsPort, Duration reconcileEvery,
            Duration visibilityTimeout, int maxReceiveCount, PrintStream log, int concurrency,
            Duration processorTimeout, int demoPort, Map<String, String> functionEnvironment) {

        public static final int NO_DEMO = -1;

        /** Without the demo systems. */
        public Settings(Path functionZip, int httpPort, int dynamoPort, int sqsPort, Duration reconcileEvery,
                Duration visibilityTimeout, int maxReceiveCount, PrintStream log, int concurrency,
                Duration processorTimeout) {
            this(functionZip, httpPort, dynamoPort, sqsPort, reconcileEvery, visibilityTimeout, maxReceiveCount, log,
                    concurrency, processorTimeout, NO_DEMO);
        }

        public Settings(Path functionZip, int httpPort, int dynamoPort, int sqsPort, Duration reconcileEvery,
                Duration visibilityTimeout, int maxReceiveCount, PrintStream log, int concurrency,
                Duration processorTimeout, int demoPort) {
            this(functionZip, httpPort, dynamoPort, sqsPort, reconcileEvery, visibilityTimeout, maxReceiveCount, log,
                    concurrency, processorTimeout, demoPort, Map.of());
        }

        /**
         * What the scenario ITs run on: {@code function.zip} (the {@code function.zip} property, else target's),
         * free ports, no schedule (a scenario runs the reconciler when it says so), a 2 s visibility so that a delivery
         * that met another instance's claim is retried in seconds, 10 receives before the DLQ on a loaded machine, the
         * engine's log kept in memory only ({@link #output}).
         *
         * @param concurrency instances per function (2, as Lambda's concurrency; 1 where the machine is loaded)
         */
        public static Settings forScenarios(int concurrency) {
            return new Settings(Path.of(System.getProperty("function.zip", "target/function.zip")), 0,
                    EmbeddedAws.freePort(), EmbeddedAws.freePort(), Duration.ZERO, Duration.ofSeconds(2), 10,
                    new PrintStream(OutputStream.nullOutputStream()), concurrency, PROCESSOR_TIMEOUT);
        }

        public Settings withDemo(int port) {
            return new Settings(functionZip, httpPort, dynamoPort, sqsPort, reconcileEvery, visibilityTimeout,
                    maxReceiveCount, log, concurrency, processorTimeout, port, functionEnvironment);
        }

        public Settings withFunctionEnvironment(Map<String, String> environment) {
            return new Settings(functionZip, httpPort, dynamoPort, sqsPort, reconcileEvery, visibilityTimeout,
                    maxReceiveCount, log, concurrency, processorTimeout, demoPort, environment);
        }

        public Settings {
            functionEnvironment = functionEnvironment == null ? Map.of() : Map.copyOf(functionEnvironment);
            concurrency = Math.max(1, concurrency);
            processorTimeout = processorTimeout == null ? PROCESSOR_TIMEOUT : processorTimeout;
            visibilityTimeout = visibilityTimeout == null ? processorTimeout.multipliedBy(VISIBILITY_PER_TIMEOUT)
                    : visibilityTimeout;
        }

        /** One instance per function and the template's processor timeout. */
        public Settings(Path functionZip, int httpPort, int dynamoPort, int sqsPort, Duration reconcileEvery,
                Duration visibilityTimeout, int maxReceiveCount, PrintStream log) {
            this(functionZip, httpPort, dynamoPort, sqsPort, reconcileEvery, visibilityTimeout, maxReceiveCount, log, 1,
                    PROCESSOR_TIMEOUT);
        }
    }

    private final List<AutoCloseable> started = new ArrayList<>();
    private final Settings settings;
    private AwsBackend aws;
    private DynamoDbClient dynamo;
    private SqsClient sqs;
    private SyncResources.Queues queues;
    private Path workDirectory;
    private Path runtimeClientLibrary;
    private Path task;
    private Map<String, String> environment;
    private LambdaFunctionProcess ingress;
    private LambdaFunctionProcess processor;
    private LambdaFunctionProcess reconciler;
    /** Started on demand ({@link #startRelay()}): the fourth export and its EventBridge stand-in. */
    private LambdaFunctionProcess relay;
    private LocalEventBus eventBus;
    private HttpApiGateway gateway;
    private SqsEventSourceMapping eventSource;
    private DemoSystems demo;

    private LocalEngine(Settings settings) {
        this.settings = settings;
    }

    public static LocalEngine start(Settings settings) {
        LocalEngine engine = new LocalEngine(settings);
        try {
            engine.startAll();
            return engine;
        } catch (RuntimeException | IOException e) {
            engine.close();
            throw new IllegalStateException("the local engine did not start: " + e.getMessage(), e);
        }
    }

    private void startAll() throws IOException {
        if (!Files.isRegularFile(settings.functionZip())) {
            throw new IllegalStateException(settings.functionZip() + " is missing: run ./mvnw package first");
        }
        aws = EmbeddedAws.start(settings.dynamoPort(), settings.sqsPort());
        started.add(aws);
        dynamo = aws.dynamoClient();
        sqs = aws.sqsClient();
        started.add(dynamo);
        started.add(sqs);
        SyncResources.createTables(dynamo);
        queues = SyncResources.createQueues(sqs, "loopfree-changes", settings.maxReceiveCount(), settings.visibilityTimeout());

        workDirectory = Files.createTempDirectory(settings.functionZip().toAbsolutePath().getParent(), "local-lambda-");
        started.add(() -> deleteRecursively(workDirectory));
        task = unpack(settings.functionZip(), workDirectory.resolve("task"));
        runtimeClientLibrary = LambdaFunctionProcess.extractRuntimeClientLibrary(workDirectory);
        environment = environment();
        if (settings.visibilityTimeout().compareTo(settings.processorTimeout()) < 0) {
            settings.log().println("[local] warning: the queue's visibility timeout (" + settings.visibilityTimeout().toSeconds()
                    + " s) is shorter than the processor's timeout (" + settings.processorTimeout().toSeconds()
                    + " s): a slow batch reappears while it still runs. The template uses 6 × the timeout.");
        }
        ingress = startFunction("ingress", task, environment, Duration.ofSeconds(10), settings.concurrency());
        processor = startFunction("processor", task, environment, settings.processorTimeout(), settings.concurrency());
        reconciler = startFunction("reconciler", task, environment, Duration.ofSeconds(60), 1);
        for (LambdaFunctionProcess function : List.of(ingress, processor, reconciler)) {
            function.awaitInitialized(Duration.ofMinutes(3));
        }

        gateway = new HttpApiGateway(settings.httpPort(), ingress::invoke, this::stateSummary, 4 * settings.concurrency());
        started.add(gateway);
        if (settings.demoPort() != Settings.NO_DEMO) {
            demo = DemoSystems.start(gateway.baseUrl(), settings.demoPort(), dynamo);
            started.add(demo);
        }
        String queueArn = sqs.getQueueAttributes(b -> b.queueUrl(queues.queueUrl())
                .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
        eventSource = new SqsEventSourceMapping(sqs, queues.queueUrl(), queueArn, processor::invoke,
                settings.concurrency());
        started.add(eventSource);
        if (!settings.reconcileEvery().isZero()) {
            ScheduledExecutorService schedule = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "eventbridge-schedule");
                thread.setDaemon(true);
                return thread;
            });
            schedule.scheduleAtFixedRate(this::reconcileQuietly, settings.reconcileEvery().toMillis(),
                    settings.reconcileEvery().toMillis(), TimeUnit.MILLISECONDS);
            started.add(schedule::shutdownNow);
        }
    }

    /** What infra/template.yaml sets on the functions, pointed at the local endpoints. */
    private Map<String, String> environment() {
        Map<String, String> environment = new HashMap<>();
        environment.put("AWS_REGION", AwsBackend.REGION);
        environment.put("AWS_ACCESS_KEY_ID", AwsBackend.ACCESS_KEY);
        environment.put("AWS_SECRET_ACCESS_KEY", AwsBackend.SECRET_KEY);
        environment.put("QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE", aws.dynamoEndpoint().toString());
        environment.put("QUARKUS_SQS_ENDPOINT_OVERRIDE", aws.sqsEndpoint().toString());
        environment.put("SYNC_QUEUE_URL", queues.queueUrl());
        environment.put("SYNC_VALVES_DRAIN_QUEUE_URL", queues.queueUrl()); // as the template: drains at reopen times
        // as the template: deterministic failures go to the dead-letter queue at once, not after maxReceiveCount
        environment.put("SYNC_DEAD_LETTER_QUEUE_URL", queues.dlqUrl());
        environment.put("SYNC_TABLES_EVENTS", SyncResources.EVENTS_TABLE);
        environment.put("SYNC_TABLES_STATE", SyncResources.STATE_TABLE);
        environment.putAll(fromShell(System.getenv()));
        if (settings.demoPort() != Settings.NO_DEMO) {
            environment.putAll(DemoSystems.environment()); // the demo's own secrets and tokens win, as before
        }
        // the dedup lease must end before a redelivery comes (docs/processor.md): with a visibility timeout
        // shortened for a test, shorten the lease with it
        if (settings.visibilityTimeout().compareTo(DEFAULT_LEASE.multipliedBy(2)) < 0) {
            environment.putIfAbsent("SYNC_DEDUP_LEASE", Math.max(500, settings.visibilityTimeout().toMillis() / 2) + "ms");
        }
        environment.putAll(settings.functionEnvironment());
        return environment;
    }

    private LambdaFunctionProcess startFunction(String name, Path task, Map<String, String> environment, Duration timeout,
            int concurrency) {
        Map<String, String> own = new HashMap<>(environment);
        own.put("QUARKUS_FUNQY_EXPORT", name);
        LambdaFunctionProcess function = LambdaFunctionProcess.start(name, task, own, timeout, runtimeClientLibrary,
                settings.log(), concurrency);
        started.add(function);
        return function;
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (Files.exists(directory)) {
            try (Stream<Path> paths = Files.walk(directory)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Unpacks function.zip as Lambda does into /var/task; each engine has its own copy. */
    private static Path unpack(Path functionZip, Path task) throws IOException {
        Files.createDirectories(task);
        try (InputStream file = Files.newInputStream(functionZip); ZipInputStream zip = new ZipInputStream(file)) {
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null;) {
                Path target = task.resolve(entry.getName()).normalize();
                if (!target.startsWith(task)) {
                    throw new IOException("zip entry outside the task root: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(zip, target);
                }
            }
        }
        return task;
    }

    /** Invokes the reconciler with an EventBridge scheduled event, as the schedule does. */
    public String reconcile() {
        return reconciler.invoke(scheduledEvent());
    }

    /**
     * Invokes the reconciler with a scheduled event whose {@code detail} narrows the run, as a second rule's constant
     * input or a manual invocation does (docs/reconciler.md), e.g. {@code {"job":{…},"pageLimit":1}}.
     */
    public String reconcile(String detailJson) {
        ObjectNode event;
        try {
            event = (ObjectNode) JSON.readTree(scheduledEvent());
            event.set("detail", JSON.readTree(detailJson));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("detail is not JSON: " + e.getOriginalMessage(), e);
        }
        return reconciler.invoke(event.toString());
    }

    /** Cold start of one function: milliseconds from process start to the end of init, and to its first response. */
    public record ColdStart(String function, double initMillis, double firstResponseMillis, String response) {
    }

    /**
     * Starts one more instance of {@code function} in a fresh JVM (its own Runtime API, the engine's environment),
     * measures its init and its first invocation with a typical event (a signed webhook, an SQS batch of one
     * envelope, a scheduled event), and stops it. Lambda's JVM flags unless {@code jvmOptions} says otherwise.
     */
    public ColdStart coldStart(String function, String jvmOptions) {
        Map<String, String> own = new HashMap<>(environment);
        own.put("QUARKUS_FUNQY_EXPORT", function);
        String event = switch (function) {
            case "ingress" -> webhookEvent();
            case "processor" -> sqsEvent();
            case "reconciler" -> scheduledEvent();
            default -> throw new IllegalArgumentException(function);
        };
        long start = System.nanoTime();
        try (LambdaFunctionProcess instance = LambdaFunctionProcess.start(function, task, own, Duration.ofSeconds(60),
                runtimeClientLibrary, null, 1, jvmOptions)) {
            instance.awaitInitialized(Duration.ofMinutes(3));
            double init = (System.nanoTime() - start) / 1e6;
            String response = instance.invoke(event);
            return new ColdStart(function, init, (System.nanoTime() - start) / 1e6, response);
        }
    }

    /** A payload 2.0 event of a Standard Webhooks delivery for the demo tenant, signed now. */
    private String webhookEvent() {
        String id = "msg_cold_" + UUID.randomUUID().toString().replace("-", "");
        long timestamp = Instant.now().getEpochSecond();
        String body = "{\"type\":\"contact.updated\",\"timestamp\":\"" + Instant.ofEpochSecond(timestamp)
                + "\",\"data\":{\"id\":\"c_cold\",\"email\":\"ada@example.com\"}}";
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "2.0");
        event.put("routeKey", "POST /webhooks/{system}/{tenant}");
        event.put("rawPath", "/webhooks/app/acme");
        event.put("rawQueryString", "");
        event.putObject("headers").put("host", "localhost").put("content-type", "application/json")
                .put("x-forwarded-proto", "http").put("x-forwarded-port", "80")
                .put("webhook-id", id).put("webhook-timestamp", Long.toString(timestamp))
                .put("webhook-signature", StandardWebhooksScheme.sign(appSecret(System.getenv()), id, timestamp,
                        body.getBytes(StandardCharsets.UTF_8)));
        event.putObject("requestContext").putObject("http").put("method", "POST").put("path", "/webhooks/app/acme");
        event.putObject("pathParameters").put("system", "app").put("tenant", "acme");
        event.put("isBase64Encoded", false);
        event.put("body", body);
        return event.toString();
    }

    /** An SQS event of one envelope (a new contact), as the event source mapping builds it. */
    private String sqsEvent() {
        String id = "msg_cold_" + UUID.randomUUID().toString().replace("-", "");
        String body = "{\"type\":\"contact.updated\",\"timestamp\":\"" + Instant.now()
                + "\",\"data\":{\"id\":\"c_" + id.substring(9, 17) + "\",\"email\":\"ada@example.com\"}}";
        String envelope = io.loopfree.sync.domain.envelope.EnvelopeCodec.encode(io.loopfree.sync.domain.envelope.Envelope.of(
                "app", "acme", id, Instant.now(), Map.of("webhook-id", id), body.getBytes(StandardCharsets.UTF_8)));
        software.amazon.awssdk.services.sqs.model.Message message = software.amazon.awssdk.services.sqs.model.Message.builder()
                .messageId(UUID.randomUUID().toString()).receiptHandle("cold-start").body(envelope)
                .attributesWithStrings(Map.of("ApproximateReceiveCount", "1")).build();
        return io.loopfree.sync.support.SqsEvents.of(List.of(message), "arn:aws:sqs:us-east-1:000000000000:loopfree-changes");
    }

    /** An EventBridge scheduled event, as the reconciler's schedule sends it. */
    private static String scheduledEvent() {
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "0");
        event.put("id", UUID.randomUUID().toString());
        event.put("detail-type", "Scheduled Event");
        event.put("source", "aws.events");
        event.put("account", "000000000000");
        event.put("time", Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        event.put("region", AwsBackend.REGION);
        event.putArray("resources").add("arn:aws:events:us-east-1:000000000000:rule/loopfree-reconciler-schedule");
        event.putObject("detail");
        return event.toString();
    }

    private void reconcileQuietly() {
        try {
            reconcile();
        } catch (RuntimeException e) {
            settings.log().println("[schedule] reconciler invocation failed: " + e.getMessage());
        }
    }

    /** Items shown per table by {@code GET /_local/state}; the count is always the table's whole. */
    static final int STATE_ITEMS_SHOWN = 1000;

    /**
     * A summary of the tables and queues, for {@code GET /_local/state}: every table paged to the end (its item
     * count, and its first {@link #STATE_ITEMS_SHOWN} items), and each queue's visible, in-flight (received, not
     * yet deleted) and delayed messages.
     */
    String stateSummary() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode tables = root.putObject("tables");
        for (String table : List.of(SyncResources.EVENTS_TABLE, SyncResources.STATE_TABLE)) {
            ObjectNode summary = tables.putObject(table);
            var items = JSON.createArrayNode();
            int count = 0;
            for (Map<String, AttributeValue> item : dynamo.scanPaginator(b -> b.tableName(table)).items()) {
                if (count++ < STATE_ITEMS_SHOWN) {
                    items.add(toJson(item));
                }
            }
            summary.put("count", count);
            summary.put("shown", items.size());
            summary.set("items", items);
        }
        ObjectNode queueDepths = root.putObject("queues");
        for (String url : List.of(queues.queueUrl(), queues.dlqUrl())) {
            Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(url)
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
            ObjectNode queue = queueDepths.putObject(url.substring(url.lastIndexOf('/') + 1));
            queue.put("visible", Integer.parseInt(attributes.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0")));
            queue.put("inFlight", Integer.parseInt(attributes.getOrDefault(
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "0")));
            queue.put("delayed", Integer.parseInt(attributes.getOrDefault(
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED, "0")));
        }
        ObjectNode eventSourceStats = root.putObject("eventSourceMapping");
        eventSourceStats.put("invocations", eventSource.invocations());
        eventSourceStats.put("deleted", eventSource.deleted());
        eventSourceStats.put("failedRecords", eventSource.failedRecords());
        ObjectNode functions = root.putObject("functions");
        for (LambdaFunctionProcess function : List.of(ingress, processor, reconciler)) {
            functions.putObject(function.name()).put("instances", function.pids().size())
                    .put("restarts", function.restarts());
        }
        return root.toPrettyString();
    }

    private static ObjectNode toJson(Map<String, AttributeValue> item) {
        ObjectNode node = JSON.createObjectNode();
        item.forEach((name, value) -> node.set(name, toJson(value)));
        return node;
    }

    /** An attribute as plain JSON, the way the DynamoDB console's "JSON view" shows it. */
    private static com.fasterxml.jackson.databind.JsonNode toJson(AttributeValue value) {
        var nodes = JSON.getNodeFactory();
        return switch (value.type()) {
            case S -> nodes.textNode(value.s());
            case N -> nodes.numberNode(new java.math.BigDecimal(value.n()));
            case BOOL -> nodes.booleanNode(value.bool());
            case NUL -> nodes.nullNode();
            case M -> toJson(value.m());
            case L -> {
                var array = nodes.arrayNode();
                value.l().forEach(element -> array.add(toJson(element)));
                yield array;
            }
            case SS -> {
                var array = nodes.arrayNode();
                value.ss().forEach(array::add);
                yield array;
            }
            default -> nodes.textNode(value.toString());
        };
    }

    /** The demo systems, when the engine runs them. */
    /**
     * Starts another tenant's systems beside the demo (free ports, webhooks at this engine's gateway) and seeds
     * their connection; stopped with the engine. Their secrets must be in the functions' environment from the start
     * ({@link DemoSystems#environment(String)} through {@link Settings#withFunctionEnvironment}).
     */
    /**
     * Starts the relay function (Salesforce Change Data Capture through EventBridge) and a local event bus that
     * invokes it with each event POSTed to it, as the template's rule does; once per engine.
     *
     * @return where events are put (a sandbox of variety {@code EVENT_RELAY} sends its events there)
     */
    public synchronized URI startRelay() {
        if (eventBus == null) {
            relay = startFunction("relay", task, environment, Duration.ofSeconds(10), 1);
            relay.awaitInitialized(Duration.ofMinutes(3));
            try {
                eventBus = new LocalEventBus(relay::invoke);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            started.add(eventBus);
        }
        return eventBus.eventsUrl();
    }

    /** Invokes the relay with one EventBridge event (a recorded one replayed), as the rule does. */
    public String relay(String event) {
        startRelay();
        return relay.invoke(event);
    }

    public DemoSystems startSystems(DemoSystems.Spec spec) {
        DemoSystems systems = DemoSystems.start(spec, gateway.baseUrl(), 0, dynamo);
        started.add(systems);
        return systems;
    }

    public java.util.Optional<DemoSystems> demo() {
        return java.util.Optional.ofNullable(demo);
    }

    public URI webhookUrl(String system, String tenant) {
        return gateway.baseUrl().resolve("/webhooks/" + system + "/" + tenant);
    }

    public URI baseUrl() {
        return gateway.baseUrl();
    }

    public AwsBackend aws() {
        return aws;
    }

    public SyncResources.Queues queues() {
        return queues;
    }

    /** Log lines of one function: {@code ingress}, {@code processor} or {@code reconciler}. */
    public List<String> output(String function) {
        return function(function).output();
    }

    /** Disables the SQS event source mapping (batches in flight finish), as an operator can in AWS. */
    public void pauseEventSource() {
        eventSource.pause();
    }

    public void resumeEventSource() {
        eventSource.resume();
    }

    /** Process ids of a function's running instances (a test kills one to see it replaced). */
    public List<Long> pids(String function) {
        return function(function).pids();
    }

    /** How many times a function's instances died and were replaced. */
    public int restarts(String function) {
        return function(function).restarts();
    }

    /** Durations (ns) of a function's invocations since the last {@link #clearDurations}: Lambda's "Duration". */
    public List<Long> durations(String function) {
        return function(function).durations();
    }

    public void clearDurations(String function) {
        function(function).clearDurations();
    }

    private LambdaFunctionProcess function(String function) {
        return switch (function) {
            case "ingress" -> ingress;
            case "processor" -> processor;
            case "reconciler" -> reconciler;
            case "relay" -> java.util.Objects.requireNonNull(relay, "the relay was not started");
            default -> throw new IllegalArgumentException(function);
        };
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                System.err.println("stopping: " + e.getMessage());
            }
        }
        started.clear();
    }

    /**
     * What the functions take from this shell, as a deployment's settings: every {@code WEBHOOK_SECRETS_*} and
     * {@code SYNC_*} variable, and the demo secret for tenant acme of system app when none is set. No
     * {@code SYNC_RECONCILER_JOBS} unless set: the reconciler runs every job of the connections (each system whose
     * profile has a {@code list}); the variable only restricts it.
     */
    static Map<String, String> fromShell(Map<String, String> shell) {
        Map<String, String> environment = new HashMap<>();
        shell.forEach((name, value) -> {
            if (name.startsWith("WEBHOOK_SECRETS_") || name.startsWith("SYNC_")) {
                environment.put(name, value);
            }
        });
        environment.putIfAbsent(APP_SECRET_VARIABLE, DEMO_SECRET);
        return environment;
    }

    /** The secret tenant acme of system app signs with in this run: the variable's first, else the demo secret. */
    static String appSecret(Map<String, String> shell) {
        List<String> configured = SecretValues.split(shell.getOrDefault(APP_SECRET_VARIABLE, ""));
        return configured.isEmpty() ? DEMO_SECRET : configured.get(0);
    }

    /** How the banner names the secret: the demo one in full, the person's own only by its variable. */
    static String secretLabel(String secret) {
        return secret.equals(DEMO_SECRET) ? "secret " + DEMO_SECRET : "the secret in " + APP_SECRET_VARIABLE;
    }

    /** A curl command with a Standard Webhooks signature made now, for tenant acme of system app. */
    static String signedCurl(URI url, String secret) {
        String id = "msg_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        long timestamp = Instant.now().getEpochSecond();
        String body = "{\"type\":\"contact.updated\",\"timestamp\":\"" + Instant.ofEpochSecond(timestamp)
                + "\",\"data\":{\"id\":\"c_42\",\"email\":\"ada@example.com\",\"name\":\"Ada Lovelace\"}}";
        String signature = StandardWebhooksScheme.sign(secret, id, timestamp, body.getBytes(StandardCharsets.UTF_8));
        return "curl -i " + url + " -H 'content-type: application/json' -H 'webhook-id: " + id + "' -H 'webhook-timestamp: "
                + timestamp + "' -H 'webhook-signature: " + signature + "' -d '" + body + "'";
    }

    public static void main(String[] args) throws InterruptedException {
        // started by Maven (exec:exec): when Maven goes (TERM, Ctrl-C, killed), so does this JVM, through its
        // shutdown hook, which stops the function processes
        ExitWithParent.install();
        try {
            LocalProperties.apply(System.getProperties());
        } catch (IllegalArgumentException e) {
            System.err.println("[local] " + e.getMessage());
            System.exit(2);
        }
        Duration processorTimeout = Duration.ofSeconds(Long.getLong("local.processor.timeout.seconds",
                PROCESSOR_TIMEOUT.toSeconds()));
        Long visibility = Long.getLong("local.visibility.seconds");
        Settings settings = new Settings(
                Path.of(System.getProperty("function.zip", "target/function.zip")),
                Integer.getInteger("local.http.port", 8080),
                Integer.getInteger("local.dynamodb.port", 8000),
                Integer.getInteger("local.sqs.port", 9324),
                Duration.ofSeconds(Long.getLong("local.reconcile.seconds", 60)),
                visibility == null ? null : Duration.ofSeconds(visibility),
                Integer.getInteger("local.max.receives", 3),
                System.out,
                Integer.getInteger("local.concurrency", 2),
                processorTimeout,
                Boolean.parseBoolean(System.getProperty("local.demo", "true"))
                        ? Integer.getInteger("local.demo.port", 8091) : Settings.NO_DEMO);
        LocalEngine engine = LocalEngine.start(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nstopping the local engine…");
            engine.close();
            stopped.countDown();
        }, "local-engine-shutdown"));
        URI url = engine.webhookUrl("app", "acme");
        String secret = appSecret(System.getenv());
        System.out.println("""

                ==== loopfree-sync is running locally ====
                webhooks:   %s/webhooks/{system}/{tenant}   (API Gateway HTTP API shape -> ingress)
                state:      %s/_local/state                 (tables, queue depths, in-flight messages)
                DynamoDB:   %s   SQS: %s   (region %s, any credentials)
                queue:      %s   DLQ: %s   (visibility %ss)
                functions:  %s instance(s) of ingress and processor (-Dlocal.concurrency=N); reconciler every %ss

                %s
                Or send a signed webhook yourself (tenant acme of system app, %s):
                  %s

                Ctrl-C stops everything.
                """.formatted(engine.baseUrl(), engine.baseUrl(), engine.aws().dynamoEndpoint(),
                engine.aws().sqsEndpoint(), AwsBackend.REGION, engine.queues().queueUrl(), engine.queues().dlqUrl(),
                settings.visibilityTimeout().toSeconds(), settings.concurrency(), settings.reconcileEvery().toSeconds(),
                engine.demo().map(DemoSystems::walkThrough).orElse("(no demo systems: -Dlocal.demo=false)\n"),
                secretLabel(secret), signedCurl(url, secret)));
        if (Boolean.getBoolean("local.relay")) {
            // Salesforce Change Data Capture through EventBridge: recorded events replayed into the relay
            URI bus = engine.startRelay();
            System.out.println("relay:      " + bus + "   (an EventBridge partner bus + rule -> relay; "
                    + "SYNC_RELAY_TENANTS=<orgId>=<tenant>)\n  curl -s -X POST --data @functions/relay/events/"
                    + "relay-contact-create.json " + bus + "\n");
        }
        stopped.await();
    }
}
