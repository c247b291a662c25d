package io.loopfree.sync.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.loopfree.sync.adapters.dynamodb.DynamoBreakerStore;
import io.loopfree.sync.adapters.dynamodb.DynamoSyncLedger;
import io.loopfree.sync.app.AccountOperations;
import io.loopfree.sync.app.OutboundSender;
import io.loopfree.sync.app.PendingWrites;
import io.loopfree.sync.app.ProcessorService;
import io.loopfree.sync.app.SafetyValves;
import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.change.FieldType;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.domain.envelope.EnvelopeCodec;
import io.loopfree.sync.domain.outbound.OutboundResponse;
import io.loopfree.sync.domain.outbound.OutboundTarget;
import io.loopfree.sync.domain.outbound.OutboundWrite;
import io.loopfree.sync.domain.reconcile.ListedEnvelope;
import io.loopfree.sync.domain.reconcile.ReconcileJob;
import io.loopfree.sync.domain.valve.AccountKey;
import io.loopfree.sync.domain.valve.DrainRequest;
import io.loopfree.sync.local.sandbox.RateLimitHeaders;
import io.loopfree.sync.local.sandbox.SandboxAudit;
import io.loopfree.sync.local.sandbox.SandboxConfig;
import io.loopfree.sync.local.sandbox.SandboxControl;
import io.loopfree.sync.ports.ConnectionRepository;
import io.loopfree.sync.ports.DrainScheduler;
import io.loopfree.sync.ports.MappingRepository;
import io.loopfree.sync.ports.Metrics;
import io.loopfree.sync.ports.OutboundClient;
import io.loopfree.sync.ports.OutboundProfileRepository;
import io.loopfree.sync.support.Fixtures;
import io.loopfree.sync.support.FunctionTestSupport;
import io.loopfree.sync.support.Profiles;
import io.loopfree.sync.support.SyncResources;
import io.loopfree.sync.support.TestBackends;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The per-account safety valves end to end: live sandbox systems, their webhooks handed to the processor through
 * the Lambda runtime API (instance A), and further processor instances built over the same DynamoDB Local with their
 * own clocks (instances B, C…: what another Lambda instance, later, would see). Prints the figures of the issue's
 * closing note ({@code FIGURE …} lines).
 */
@QuarkusTest
@TestProfile(SafetyValvesTest.Valves.class)
class SafetyValvesTest extends FunctionTestSupport {

    private static final AtomicInteger TENANTS = new AtomicInteger();
    private static final int MAX_TENANTS = 20;
    static final String DRAINS_QUEUE = "loopfree-valves-drains";

    /** As FanOutTest's profile, with a loop detector that trips at 5 × 4 writes in a window. */
    public static class Valves extends Profiles.Processor {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("sync.identities.sandbox-rich", "loopfree-sync");
            config.put("sync.dedup.ttl", "3650d");
            config.put("sync.markers.ttl", "3650d");
            config.put("sync.valves.loop.floor", "4");
            config.put("sync.valves.loop.window", "3650d"); // one window for the whole test: TTLs beyond the sweeper
            // the drains at the breakers' reopen times go to a queue of their own, read by these tests only
            config.put("sync.valves.drain-queue-url", TestBackends.embedded().sqs()
                    .createQueue(b -> b.queueName(DRAINS_QUEUE)).queueUrl());
            for (int i = 1; i <= MAX_TENANTS; i++) {
                for (String system : List.of(SandboxWorld.APP, SandboxWorld.RICH, SandboxWorld.SKINNY)) {
                    config.put("webhook-secrets." + system + ".valve" + i + ".outbound-token", SandboxWorld.ENGINE_TOKEN);
                }
            }
            // RunbookWalkTest's tenant (same profile: no second Quarkus start)
            for (String system : List.of(SandboxWorld.APP, SandboxWorld.RICH, SandboxWorld.SKINNY)) {
                config.put("webhook-secrets." + system + "." + RunbookWalkTest.TENANT + ".outbound-token",
                        SandboxWorld.ENGINE_TOKEN);
            }
            return config;
        }
    }

    @Inject
    MappingRepository mappings;
    @Inject
    ConnectionRepository connections;
    @Inject
    OutboundClient outbound;
    @Inject
    OutboundProfileRepository profiles;
    @Inject
    SyncConfig config;
    @Inject
    DynamoDbClient dynamoClient;
    @Inject
    AccountOperations operations;
    @Inject
    DrainScheduler drains;

    private SandboxWorld world;

    @AfterEach
    void stop() {
        if (world != null) {
            world.close();
        }
    }

    private SandboxWorld world(java.util.function.UnaryOperator<SandboxConfig> rich) {
        world = new SandboxWorld("valve" + TENANTS.incrementAndGet(), rich);
        try (DynamoDbClient dynamo = dynamo()) {
            world.seedConnection(dynamo, SyncResources.STATE_TABLE, c -> c);
        }
        return world;
    }

    /** Another processor instance: its own objects (no shared memory), the same DynamoDB, its own clock. */
    final class Instance {
        final ProcessorService processor;
        final AccountOperations accounts;
        final DynamoBreakerStore breakers;
        final SafetyValves valves;
        final List<String> metrics = new ArrayList<>();

        Instance(Instant at) {
            this(at, outbound);
        }

        /** @param client how this instance calls the systems (the real HTTP client, or one that holds its writes) */
        Instance(Instant at, OutboundClient client) {
            Clock clock = Clock.fixed(at, ZoneOffset.UTC);
            DynamoSyncLedger ledger = new DynamoSyncLedger(dynamoClient, config);
            breakers = new DynamoBreakerStore(dynamoClient, config);
            Metrics sink = (name, value, unit, dimensions, properties) -> metrics.add(name + "=" + (long) value);
            valves = new SafetyValves(breakers, profiles, sink, drains, clock, config);
            OutboundSender sender = new OutboundSender(client, profiles, new io.loopfree.sync.app.SyncMetrics(sink),
                    clock, config);
            accounts = new AccountOperations(breakers, new PendingWrites(ledger, sender, valves, clock, config), drains,
                    clock, config);
            processor = new ProcessorService(mappings, ledger, connections, client, sender, valves, accounts, clock,
                    config);
        }

        List<String> process(List<SandboxWorld.Delivery> deliveries) {
            List<String> failed = new ArrayList<>();
            for (SandboxWorld.Delivery delivery : deliveries) {
                try {
                    processor.process(delivery.envelope());
                } catch (RuntimeException e) {
                    failed.add(delivery.eventId() + ": " + e.getMessage());
                }
            }
            return failed;
        }
    }

    private List<String> pump() {
        return world.pump(FunctionTestSupport::invoke);
    }

    private AccountKey account(String system) {
        return new AccountKey(world.tenant, system, system);
    }

    private static long requestsTo(SandboxWorld w, String system) {
        return w.engineWrites(system).size();
    }

    @Test
    void a429WithRetryAfterOpensTheBreakerEveryInstanceSeesItAndTheWriteWaitsUntilTheProbe() {
        SandboxWorld w = world(c -> c);
        w.rich.control(SandboxControl.fail429(1, 30));
        JsonNode created = w.app.humanCreate("contact", Map.of("email", "grace@example.com", "name", "Grace Hopper"));
        String appId = created.path("id").asText();

        assertThat(pump()).as("applied, the write deferred: nothing fails, nothing is retried").isEmpty();
        assertThat(w.rich.records("contact")).isEmpty();
        assertThat(w.only(SandboxWorld.SKINNY).path("Email").asText()).isEqualTo("grace@example.com");
        Map<String, AttributeValue> breaker = breaker(account(SandboxWorld.RICH));
        assertThat(breaker.get("state").s()).isEqualTo("open");
        assertThat(breaker.get("reason").s()).isEqualTo("rate-limited");
        assertThat(Long.parseLong(breaker.get("reopenAtEpoch").n())).as("Retry-After: 30")
                .isEqualTo(Fixtures.REPLAYED_AT.plusSeconds(30).getEpochSecond());
        assertThat(breaker.get("heldWrites").n()).isEqualTo("1");
        Map<String, AttributeValue> pending = outbox(w).get(0);
        assertThat(pending.get("status").s()).isEqualTo("pending");
        assertThat(pending.get("attempts").n()).as("a 429 is no failed attempt").isEqualTo("0");
        long after429 = requestsTo(w, SandboxWorld.RICH);

        // instance A (the function) and instance B (its own objects) both get new changes for the account
        w.app.humanEdit("contact", appId, Map.of("name", "Grace B. Hopper"));
        assertThat(pump()).isEmpty();
        Instance b = new Instance(Fixtures.REPLAYED_AT.plusSeconds(5));
        w.app.humanEdit("contact", appId, Map.of("email", "amazing.grace@example.com"));
        assertThat(b.process(w.take())).isEmpty();
        long sentWhileOpen = requestsTo(w, SandboxWorld.RICH) - after429;
        assertThat(sentWhileOpen).as("no request to an open account, on any instance").isZero();
        assertThat(outbox(w)).as("one pending write per record, the newest").hasSize(1);

        // after the reset, instance C's next run (here: the reconciler's drain) probes once, closes, sends the rest
        Instance c = new Instance(Fixtures.REPLAYED_AT.plusSeconds(31));
        PendingWrites.Drained drained = c.accounts.drainAccount(account(SandboxWorld.RICH),
                Fixtures.REPLAYED_AT.plusSeconds(41));
        assertThat(drained.written()).isEqualTo(1);
        JsonNode rich = w.only(SandboxWorld.RICH);
        assertThat(rich.path("email").asText()).isEqualTo("amazing.grace@example.com");
        assertThat(breaker(account(SandboxWorld.RICH)).get("state").s()).isEqualTo("closed");
        assertThat(outbox(w)).isEmpty();
        assertThat(w.engineWrites(SandboxWorld.RICH)).filteredOn(x -> x.status() < 300).hasSize(1);
        assertThat(c.process(w.take())).as("the echo of the drained write dies").isEmpty();
        System.out.printf("FIGURE 429: requests to the account after its first 429, before the reset: %d (instances: 2);"
                + " messages failed/dead-lettered: 0; changes lost: 0%n", sentWhileOpen);
    }

    @Test
    void usagePastTheThresholdOpensTheBreakerBeforeAny429ForEveryHeaderFamily() {
        for (RateLimitHeaders family : RateLimitHeaders.values()) {
            SandboxWorld w = world(c -> c.withRateLimitPerWindow(10).withRateLimitWindow(Duration.ofHours(1))
                    .withRateLimitHeaders(family));
            for (int i = 0; i < 12; i++) {
                w.app.humanCreate("contact", Map.of("email", "c" + i + "@example.com", "name", "C " + i));
            }
            assertThat(pump()).as(family.name()).isEmpty();
            Map<String, AttributeValue> breaker = breaker(account(SandboxWorld.RICH));
            assertThat(breaker.get("state").s()).as(family.name()).isEqualTo("open");
            assertThat(breaker.get("reason").s()).as(family.name()).isEqualTo("quota-threshold");
            assertThat(breaker.get("lastUsage").s()).as(family.name()).contains("9/10");
            List<SandboxAudit.Write> writes = w.engineWrites(SandboxWorld.RICH);
            assertThat(writes).as(family.name() + ": stopped at 90% of the quota, no 429 ever").hasSize(9)
                    .allSatisfy(x -> assertThat(x.status()).isLessThan(300));
            assertThat(outbox(w)).as(family.name()).hasSize(3);
            assertThat(w.skinny.records("contact")).as("other accounts are not affected").hasSize(12);
            world.close();
            world = null;
        }
    }

    @Test
    void theHalfOpenProbeIsClaimedByExactlyOneInstanceAndAFailedProbeReopensWithBackoff() throws Exception {
        SandboxWorld w = world(c -> c);
        w.rich.control(SandboxControl.fail429(1, 30));
        w.app.humanCreate("contact", Map.of("email", "ada@example.com", "name", "Ada Lovelace"));
        assertThat(pump()).isEmpty();
        AccountKey rich = account(SandboxWorld.RICH);

        Instant later = Fixtures.REPLAYED_AT.plusSeconds(31);
        List<Instance> instances = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            instances.add(new Instance(later));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Optional<String>>> claims = new ArrayList<>();
            instances.forEach(instance -> claims.add(() -> instance.breakers.claimProbe(rich, later,
                    later.plusSeconds(30))));
            List<Optional<String>> won = new ArrayList<>();
            for (Future<Optional<String>> claim : pool.invokeAll(claims)) {
                won.add(claim.get());
            }
            assertThat(won.stream().filter(Optional::isPresent)).as("exactly one probe").hasSize(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(breaker(rich).get("state").s()).isEqualTo("half_open");

        // the probe's holder "died": after its lease one instance probes again, and the provider still says 429
        w.rich.control(SandboxControl.fail429(1, 5));
        Instance d = new Instance(later.plusSeconds(31));
        long before = requestsTo(w, SandboxWorld.RICH);
        PendingWrites.Drained drained = d.accounts.drainAccount(rich, later.plusSeconds(41));
        assertThat(drained.written()).isZero();
        assertThat(requestsTo(w, SandboxWorld.RICH) - before).as("one probe call").isEqualTo(1);
        Map<String, AttributeValue> reopened = breaker(rich);
        assertThat(reopened.get("state").s()).isEqualTo("open");
        assertThat(reopened.get("trips").n()).isEqualTo("2");
        assertThat(Long.parseLong(reopened.get("reopenAtEpoch").n())).as("backoff 30 s · 2^1, more than Retry-After")
                .isEqualTo(later.plusSeconds(31 + 60).getEpochSecond());
        assertThat(outbox(w)).hasSize(1);

        Instance e = new Instance(later.plusSeconds(31 + 61));
        assertThat(e.accounts.drainAccount(rich, later.plusSeconds(200)).written()).isEqualTo(1);
        assertThat(breaker(rich).get("state").s()).isEqualTo("closed");
        assertThat(breaker(rich).get("trips").n()).isEqualTo("0");
        assertThat(outbox(w)).isEmpty();
    }

    @Test
    void aSyntheticLoopTripsTheDetectorWithinItsWindowAndTheWritesStop() {
        SandboxWorld w = world(c -> c);
        JsonNode created = w.app.humanCreate("contact", Map.of("email", "loop@example.com", "name", "Lo Op"));
        assertThat(pump()).isEmpty();
        String richId = w.only(SandboxWorld.RICH).path("id").asText();
        Instance a = new Instance(Fixtures.REPLAYED_AT);
        // a provider whose echo suppression is broken: every write we make comes back as a new "human" edit
        long started = System.nanoTime();
        int rounds = 0;
        int openedAfter = -1;
        for (; rounds < 40; rounds++) {
            w.rich.humanEdit("contact", richId, Map.of("firstname", "Lo" + rounds));
            assertThat(a.process(w.take())).isEmpty();
            Map<String, AttributeValue> breaker = breaker(account(SandboxWorld.APP));
            if (breaker != null && breaker.containsKey("state") && "open".equals(breaker.get("state").s())) {
                openedAfter = rounds + 1;
                break;
            }
        }
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(openedAfter).as("tripped within the window").isPositive();
        Map<String, AttributeValue> breaker = breaker(account(SandboxWorld.APP));
        assertThat(breaker.get("reason").s()).isEqualTo("loop-suspected");
        assertThat(a.metrics).anySatisfy(m -> assertThat(m).startsWith("OutboundWritesPerAccount="));
        long writesAtOpen = requestsTo(w, SandboxWorld.APP);

        for (int i = 0; i < 5; i++) {
            w.rich.humanEdit("contact", richId, Map.of("firstname", "Again" + i));
            assertThat(a.process(w.take())).isEmpty();
        }
        assertThat(requestsTo(w, SandboxWorld.APP)).as("the writes stop").isEqualTo(writesAtOpen);
        assertThat(created).isNotNull();
        System.out.printf("FIGURE loop: breaker open after %d looping changes (%d writes to the account), %d ms from"
                + " the loop's start (threshold 5 x floor 4)%n", openedAfter, writesAtOpen, elapsedMs);
    }

    @Test
    void aFullSyncsListingIsNotLoopEvidenceAndEachRecordIsWrittenOnce() {
        SandboxWorld w = world(c -> c);
        Instance a = new Instance(Fixtures.REPLAYED_AT);
        int records = 25; // 25 writes to each other account: past the detector's 5 x floor 4 in one window
        for (int i = 0; i < records; i++) {
            w.rich.humanCreate("contact", Map.of("email", "full" + i + "@example.com", "firstname", "Full",
                    "lastname", "Sync" + i));
        }
        w.take(); // their webhooks were lost: a first sync lists them
        io.loopfree.sync.domain.reconcile.ReconcileJob job = new io.loopfree.sync.domain.reconcile.ReconcileJob(
                w.tenant, SandboxWorld.RICH, SandboxWorld.RICH, "contact");
        List<SandboxWorld.Delivery> listed = new ArrayList<>();
        for (JsonNode record : w.rich.records("contact")) {
            Instant updatedAt = Instant.parse(record.path("updated_at").asText());
            io.loopfree.sync.domain.envelope.Envelope envelope = io.loopfree.sync.domain.reconcile.ListedEnvelope.of(
                    job, record.path("id").asText(), updatedAt,
                    io.loopfree.sync.domain.change.FieldType.formatInstant(updatedAt), Fixtures.REPLAYED_AT,
                    record.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), true);
            listed.add(new SandboxWorld.Delivery(SandboxWorld.RICH, envelope.eventId(), envelope));
        }

        assertThat(a.process(listed)).isEmpty();
        assertThat(a.process(w.take())).as("the echoes of those writes").isEmpty();

        for (String target : List.of(SandboxWorld.APP, SandboxWorld.SKINNY)) {
            Map<String, AttributeValue> breaker = breaker(account(target));
            assertThat(breaker == null || !breaker.containsKey("state") || !"open".equals(breaker.get("state").s()))
                    .as("a first sync of %d records is no loop in %s", records, target).isTrue();
            assertThat(requestsTo(w, target)).as("each record written once to " + target).isEqualTo(records);
        }
        assertThat(requestsTo(w, SandboxWorld.RICH)).as("nothing written back to the source").isZero();
    }

    @Test
    void aPausedAccountHoldsItsWritesAndResumeSendsEachExactlyOnce() {
        SandboxWorld w = world(c -> c);
        AccountKey skinny = account(SandboxWorld.SKINNY);
        // the operator's console edit: paused=true on the account's breaker item
        try (DynamoDbClient dynamo = dynamo()) {
            dynamo.putItem(b -> b.tableName(SyncResources.STATE_TABLE).item(Map.of(
                    "pk", AttributeValue.fromS("BREAKER#" + skinny.label()), "sk", AttributeValue.fromS("BREAKER"),
                    "paused", AttributeValue.fromBool(true))));
        }
        for (int i = 0; i < 3; i++) {
            w.app.humanCreate("contact", Map.of("email", "p" + i + "@example.com", "name", "P " + i));
        }
        assertThat(pump()).as("received, deduplicated, applied: nothing fails").isEmpty();
        assertThat(w.skinny.records("contact")).isEmpty();
        assertThat(w.rich.records("contact")).hasSize(3);
        assertThat(outbox(w)).hasSize(3).allSatisfy(item -> assertThat(item.get("status").s()).isEqualTo("pending"));
        assertThat(breaker(skinny).get("heldWrites").n()).isEqualTo("3");

        PendingWrites.Drained resumed = operations.resume(skinny, Fixtures.REPLAYED_AT.plusSeconds(20));
        assertThat(resumed).isEqualTo(new PendingWrites.Drained(3, 0, 0, true));
        assertThat(operations.resume(skinny, Fixtures.REPLAYED_AT.plusSeconds(20)).written()).isZero();
        assertThat(pump()).as("their echoes die").isEmpty();
        assertThat(w.skinny.records("contact")).hasSize(3);
        assertThat(w.engineWrites(SandboxWorld.SKINNY)).as("each sent exactly once").hasSize(3)
                .allSatisfy(x -> assertThat(x.status()).isLessThan(300));
        assertThat(outbox(w)).isEmpty();
        assertThat(breaker(skinny).get("paused").bool()).isFalse();
    }

    @Test
    void aLongRateLimitWindowNeverSendsHealthyChangesToTheDeadLetterQueue() {
        SandboxWorld w = world(c -> c);
        w.rich.control(SandboxControl.fail429(1, 3600));
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            w.app.humanCreate("contact", Map.of("email", "l" + i + "@example.com", "name", "L " + i));
        }
        List<SandboxWorld.Delivery> deliveries = w.take();
        // every message delivered as if for the 5th time (maxReceiveCount): none fails, so none is dead-lettered
        for (SandboxWorld.Delivery delivery : deliveries) {
            failures.addAll(invoke(SandboxWorld.sqsEvent(delivery, 5)).getList("batchItemFailures.itemIdentifier",
                    String.class));
        }
        failures.addAll(pump());
        assertThat(failures).isEmpty();
        assertThat(w.engineWrites(SandboxWorld.RICH)).as("one 429, then nothing for an hour").hasSize(1);
        assertThat(outbox(w)).hasSize(10);
        assertThat(w.skinny.records("contact")).hasSize(10);

        Instance later = new Instance(Fixtures.REPLAYED_AT.plusSeconds(3601));
        assertThat(later.accounts.drainAccount(account(SandboxWorld.RICH), Fixtures.REPLAYED_AT.plusSeconds(3620)))
                .isEqualTo(new PendingWrites.Drained(10, 0, 0, true));
        assertThat(w.rich.records("contact")).hasSize(10);
        System.out.printf("FIGURE long window: %d changes, messages failed (would be dead-lettered): %d, lost: %d%n",
                deliveries.size(), failures.size(), 10 - w.rich.records("contact").size());
    }

    @Test
    void twoSendersRacingForOnePendingWriteSendItOnce() throws Exception {
        SandboxWorld w = world(c -> c);
        AccountKey rich = account(SandboxWorld.RICH);
        console(rich, true); // paused in the console: the write to it waits in the outbox
        String appId = w.app.humanCreate("contact", Map.of("email", "race@example.com", "name", "Ray Ce"))
                .path("id").asText();
        assertThat(pump()).isEmpty();
        assertThat(outbox(w)).hasSize(1);
        console(rich, false); // lifted in the console: closed, one held write that nobody has sent yet

        // two instances at once: the reconciler's listing of the record ends no-change, which sends the record's
        // pending writes; the reconciler's run drains the account. Each write to the account waits for a second one.
        Rendezvous rendezvous = new Rendezvous(outbound, SandboxWorld.RICH);
        Instant later = Fixtures.REPLAYED_AT.plusSeconds(5);
        Instance a = new Instance(later, rendezvous);
        Instance b = new Instance(later, rendezvous);
        SandboxWorld.Delivery listing = listed(w, SandboxWorld.APP, appId);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<List<String>> noChange = pool.submit(() -> a.process(List.of(listing)));
            Future<PendingWrites.Drained> drain = pool.submit(() -> b.accounts.drainAccount(rich,
                    later.plusSeconds(20)));
            assertThat(noChange.get()).isEmpty();
            drain.get();
        } finally {
            pool.shutdownNow();
        }

        assertThat(w.engineWrites(SandboxWorld.RICH)).as("one HTTP write: one sender").singleElement()
                .satisfies(x -> {
                    assertThat(x.status()).isLessThan(300);
                    assertThat(x.replayed()).isFalse();
                });
        assertThat(w.only(SandboxWorld.RICH).path("email").asText()).isEqualTo("race@example.com");
        assertThat(outbox(w)).isEmpty();
        assertThat(stateItem("RECORD#" + w.tenant + "#contact#app:" + appId, "STATE"))
                .as("the claim's mark ended with its completion").doesNotContainKey("writing");
        assertThat(a.process(w.take())).as("its echo dies").isEmpty();
    }

    @Test
    void aRateLimitWindowWithEditsDuringItSendsEachHeldWriteOnceAtTheReopenTime() throws Exception {
        SandboxWorld w = world(c -> c);
        AccountKey rich = account(SandboxWorld.RICH);
        // what Lambda's event source mapping does: poll the queue, so a delayed message is seen when it is due
        ExecutorService poller = Executors.newSingleThreadExecutor();
        Future<Arrival> arrival = poller.submit(() -> Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> drainRequest(rich), Optional::isPresent).get());
        w.rich.control(SandboxControl.fail429(1, 2));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(w.app.humanCreate("contact", Map.of("email", "window" + i + "@example.com", "name", "Win Dow" + i))
                    .path("id").asText());
        }
        assertThat(pump()).isEmpty();
        // edits during the window: the held write of each record is replaced by one with its newest values
        w.app.humanEdit("contact", ids.get(0), Map.of("name", "Winnie Dow0"));
        w.app.humanEdit("contact", ids.get(1), Map.of("email", "window1b@example.com"));
        assertThat(pump()).isEmpty();
        assertThat(w.engineWrites(SandboxWorld.RICH)).as("one 429, then nothing while it is open").hasSize(1);
        assertThat(outbox(w)).hasSize(3);
        Instant reopenAt = Instant.ofEpochSecond(Long.parseLong(breaker(rich).get("reopenAtEpoch").n()));

        // the instance whose 429 opened the breaker asked for the account's drain at the reopen time
        Arrival request;
        try {
            request = arrival.get();
        } finally {
            poller.shutdownNow();
        }
        long delayedMs = request.receivedAtMillis()
                - Long.parseLong(request.message().attributes().get(MessageSystemAttributeName.SENT_TIMESTAMP));
        Envelope drain = EnvelopeCodec.decode(request.message().body());
        assertThat(DrainRequest.read(drain)).hasValueSatisfying(r -> {
            assertThat(r.account()).isEqualTo(rich);
            assertThat(r.dueAt()).isEqualTo(Fixtures.REPLAYED_AT.plusSeconds(2));
        });
        assertThat(delayedMs).as("delivered at the reopen time (Retry-After: 2), not on the next schedule")
                .isBetween(1_900L, 4_000L);

        // at the reopen time: the drain request on one instance, a no-change of one of the records on another
        Rendezvous rendezvous = new Rendezvous(outbound, SandboxWorld.RICH);
        Instance c = new Instance(reopenAt, rendezvous);
        Instance d = new Instance(reopenAt, rendezvous);
        SandboxWorld.Delivery listing = listed(w, SandboxWorld.APP, ids.get(0));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<List<String>> drained = pool.submit(() -> c.process(List.of(
                    new SandboxWorld.Delivery(SandboxWorld.RICH, drain.eventId(), drain))));
            Future<List<String>> noChange = pool.submit(() -> d.process(List.of(listing)));
            assertThat(drained.get()).isEmpty();
            assertThat(noChange.get()).isEmpty();
        } finally {
            pool.shutdownNow();
        }

        List<SandboxAudit.Write> sent = w.engineWrites(SandboxWorld.RICH).stream().skip(1).toList();
        assertThat(sent).as("each held write sent once, none that changes nothing").hasSize(3)
                .allSatisfy(x -> {
                    assertThat(x.status()).isLessThan(300);
                    assertThat(x.replayed()).isFalse();
                });
        assertThat(sent.stream().map(SandboxAudit.Write::recordId).distinct()).hasSize(3);
        assertThat(outbox(w)).isEmpty();
        assertThat(breaker(rich).get("state").s()).isEqualTo("closed");
        Map<String, String> emails = new HashMap<>();
        w.rich.records("contact").forEach(r -> emails.put(r.path("email").asText(), r.path("firstname").asText()));
        assertThat(emails).containsEntry("window0@example.com", "Winnie").containsEntry("window1b@example.com", "Win")
                .containsKey("window2@example.com");
        assertThat(c.process(w.take())).as("their echoes die").isEmpty();
        System.out.printf("FIGURE 429 window: Retry-After 2 s, 5 edits (3 records): held writes sent %d (once each),"
                + " replays 0; drain request delivered %d ms after the 429%n", sent.size(), delayedMs);
    }

    @Test
    void aDrainRequestThatIsNotDueYetIsAskedAgainForTheRestOfTheWait() {
        SandboxWorld w = world(c -> c);
        AccountKey rich = account(SandboxWorld.RICH);
        DrainRequest request = new DrainRequest(rich, Fixtures.REPLAYED_AT.plus(Duration.ofHours(2)));
        Envelope envelope = request.envelope(Fixtures.REPLAYED_AT);
        long delayed = delayedOnDrainsQueue();

        Instance a = new Instance(Fixtures.REPLAYED_AT.plusSeconds(900));
        assertThat(a.process(List.of(new SandboxWorld.Delivery(SandboxWorld.RICH, envelope.eventId(), envelope))))
                .isEmpty();
        assertThat(delayedOnDrainsQueue()).as("the next step of a wait longer than one message delay")
                .isEqualTo(delayed + 1);
        assertThat(w.engineWrites(SandboxWorld.RICH)).isEmpty();
    }

    // --- helpers ---

    /**
     * Holds each write to one system until a second write to it arrives, or 3 s pass: two senders that both send
     * a write are caught doing it at the same time; a sole sender goes on after the wait.
     */
    static final class Rendezvous implements OutboundClient {
        private final OutboundClient real;
        private final String system;
        private final CyclicBarrier barrier = new CyclicBarrier(2);

        Rendezvous(OutboundClient real, String system) {
            this.real = real;
            this.system = system;
        }

        @Override
        public OutboundResponse write(OutboundWrite write, Optional<Instant> lastSeen, Instant deadline) {
            if (write.target().system().equals(system)) {
                try {
                    barrier.await(3, TimeUnit.SECONDS);
                } catch (BrokenBarrierException | TimeoutException alone) {
                    // no second sender: go on
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return real.write(write, lastSeen, deadline);
        }

        @Override
        public OutboundResponse fetch(OutboundTarget target, String resource, String recordId, Instant deadline) {
            return real.fetch(target, resource, recordId, deadline);
        }

        @Override
        public PageResult list(OutboundTarget target, String resource, Instant since, Optional<String> cursor,
                Instant deadline) {
            return real.list(target, resource, since, cursor, deadline);
        }
    }

    /** A record as the reconciler lists it from its system: unchanged, it ends no-change (and sends what is pending). */
    private static SandboxWorld.Delivery listed(SandboxWorld w, String system, String recordId) {
        JsonNode record = w.sandbox(system).record("contact", recordId).orElseThrow();
        Instant updatedAt = Instant.parse(record.path("updated_at").asText());
        Envelope envelope = ListedEnvelope.of(new ReconcileJob(w.tenant, system, system, "contact"), recordId,
                updatedAt, FieldType.formatInstant(updatedAt), Fixtures.REPLAYED_AT,
                record.toString().getBytes(StandardCharsets.UTF_8));
        return new SandboxWorld.Delivery(system, envelope.eventId(), envelope);
    }

    /** The operator's pause switch, flipped in the console (the item's other attributes stay). */
    private static void console(AccountKey account, boolean paused) {
        try (DynamoDbClient dynamo = dynamo()) {
            dynamo.updateItem(b -> b.tableName(SyncResources.STATE_TABLE)
                    .key(Map.of("pk", AttributeValue.fromS("BREAKER#" + account.label()),
                            "sk", AttributeValue.fromS("BREAKER")))
                    .updateExpression("SET paused = :paused")
                    .expressionAttributeValues(Map.of(":paused", AttributeValue.fromBool(paused))));
        }
    }

    /** A message, and when it was received. */
    record Arrival(Message message, long receivedAtMillis) {
    }

    /** The drain request for the account, once it is visible on the drains queue (taken off it). */
    private Optional<Arrival> drainRequest(AccountKey account) {
        try (SqsClient sqs = sqs()) {
            String url = config.valves().drainQueueUrl().orElseThrow();
            List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1)
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
            long receivedAt = System.currentTimeMillis();
            for (Message message : messages) {
                sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(message.receiptHandle()));
                Optional<DrainRequest> request = DrainRequest.read(EnvelopeCodec.decode(message.body()));
                if (request.isPresent() && request.get().account().equals(account)) {
                    // other tests' requests are taken off too: nobody else reads them
                    return Optional.of(new Arrival(message, receivedAt));
                }
            }
            return Optional.empty();
        }
    }

    private long delayedOnDrainsQueue() {
        try (SqsClient sqs = sqs()) {
            return Long.parseLong(sqs.getQueueAttributes(b -> b.queueUrl(config.valves().drainQueueUrl().orElseThrow())
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes()
                    .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED));
        }
    }

    // --- helpers ---

    private static Map<String, AttributeValue> breaker(AccountKey account) {
        try (DynamoDbClient dynamo = dynamo()) {
            Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(SyncResources.STATE_TABLE)
                    .consistentRead(true).key(Map.of("pk", AttributeValue.fromS("BREAKER#" + account.label()),
                            "sk", AttributeValue.fromS("BREAKER")))).item();
            return item == null || item.isEmpty() ? null : item;
        }
    }

    private static List<Map<String, AttributeValue>> outbox(SandboxWorld w) {
        try (DynamoDbClient dynamo = dynamo()) {
            return dynamo.scan(b -> b.tableName(SyncResources.STATE_TABLE)
                    .filterExpression("begins_with(pk, :outbox)")
                    .expressionAttributeValues(Map.of(":outbox", AttributeValue.fromS("OUTBOX#" + w.tenant + "#"))))
                    .items();
        }
    }
}
