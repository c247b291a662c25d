package io.loopfree.sync.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.loopfree.sync.adapters.dynamodb.DynamoBreakerStore;
import io.loopfree.sync.adapters.dynamodb.DynamoWatermarkStore;
import io.loopfree.sync.domain.reconcile.ReconcileJob;
import io.loopfree.sync.domain.reconcile.Watermark;
import io.loopfree.sync.domain.valve.AccountKey;
import io.loopfree.sync.domain.valve.Breaker;
import io.loopfree.sync.support.SyncResources;
import io.loopfree.sync.support.TestConfigs;
import io.loopfree.sync.support.TestBackends;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Each command of {@code loopfree-ops} over the wire against DynamoDB Local and ElasticMQ (the test support's
 * embedded backend), on items shaped as docs/dynamodb.md describes them. Every test has its own tenant.
 */
class OpsCommandsTest {

    static TestBackends.Started aws;
    static final Clock CLOCK = Clock.systemUTC();

    @BeforeAll
    static void start() {
        aws = TestBackends.embedded();
    }

    record Result(int exit, String out, String err) {
    }

    static Result ops(String... args) {
        List<String> all = new ArrayList<>(List.of("--dynamodb-endpoint", aws.backend().dynamoEndpoint().toString(),
                "--sqs-endpoint", aws.backend().sqsEndpoint().toString(), "--region", "us-east-1", "--as", "test-operator"));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = LoopfreeOps.run(CLOCK, new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
        return new Result(exit, out.toString(), err.toString());
    }

    static String tenant() {
        return "ops" + UUID.randomUUID().toString().substring(0, 8);
    }

    static DynamoDbClient dynamo() {
        return aws.dynamo();
    }

    static void put(String table, Map<String, AttributeValue> item) {
        dynamo().putItem(b -> b.tableName(table).item(item));
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static Map<String, AttributeValue> outbox(String tenant, String status, String canonical) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", s("OUTBOX#" + tenant + "#sandbox-rich#rich1"));
        item.put("sk", s("contact#" + canonical));
        item.put("type", s("OUTBOUND_WRITE"));
        item.put("status", s(status));
        item.put("action", s("failed".equals(status) ? "UPSERT" : "DELETE"));
        item.put("attempts", AttributeValue.fromN("failed".equals(status) ? "5" : "0"));
        item.put("writeToken", s("tok-" + status));
        item.put("updatedAt", s("2026-11-20T10:00:30.000Z"));
        if ("failed".equals(status)) {
            item.put("lastError", s("HTTP 400: bad field"));
        }
        return item;
    }

    @Test
    void recordHistoryShowsStateOriginTagsLinksOutboxMarkersAndTheLastEventsFoundByAnySystemsId() throws Exception {
        String t = tenant();
        String canonical = "app:c_1";
        Instant now = CLOCK.instant();
        Map<String, AttributeValue> app = Map.of("recordId", s("c_1"), "account", s(t), "eventId", s("evt_app_1"),
                "direction", s("inbound"), "actorKind", s("human"), "correlationId", s("app:evt_app_1"));
        Map<String, AttributeValue> rich = Map.of("recordId", s("r_1"), "account", s("rich1"), "eventId", s("evt_rich_1"),
                "direction", s("outbound"), "actorId", s("sync_engine"), "syncedAt", s(now.toString()));
        put(SyncResources.STATE_TABLE, Map.of("pk", s("RECORD#" + t + "#contact#" + canonical), "sk", s("STATE"),
                "type", s("SYNC_STATE"), "version", AttributeValue.fromN("2"),
                "systems", AttributeValue.fromM(Map.of("app", AttributeValue.fromM(app), "sandbox-rich", AttributeValue.fromM(rich)))));
        put(SyncResources.STATE_TABLE, Map.of("pk", s("LINK#" + t + "#contact#sandbox-rich#r_1"), "sk", s("LINK"),
                "type", s("LINK"), "canonicalKey", s(canonical)));
        put(SyncResources.STATE_TABLE, outbox(t, "failed", canonical));
        put(SyncResources.EVENTS_TABLE, Map.of("pk", s("EVENT#sandbox-rich#" + t + "#evt_rich_1"), "type", s("DEDUP"),
                "status", s("DONE"), "outcome", s("dropped:echo-marker")));
        put(SyncResources.EVENTS_TABLE, Map.of("pk", s("MARKER#" + t + "#sandbox-rich#contact#" + canonical),
                "type", s("MARKER")));

        Result result = ops("record", "history", t, "contact", "sandbox-rich:r_1");

        assertThat(result.exit()).as(result.err()).isZero();
        var report = OpsItemMapper.JSON.readTree(result.out());
        assertThat(report.path("canonicalKey").asText()).as("found through the link").isEqualTo(canonical);
        assertThat(report.path("state").path("systems").path("app").path("actorKind").asText()).isEqualTo("human");
        assertThat(report.path("state").path("systems").path("sandbox-rich").path("direction").asText()).isEqualTo("outbound");
        assertThat(report.path("links").path("sandbox-rich").path("canonicalKey").asText()).isEqualTo(canonical);
        assertThat(report.path("outbox").path("sandbox-rich").path("status").asText()).isEqualTo("failed");
        assertThat(report.path("markers").has("sandbox-rich")).isTrue();
        assertThat(report.path("lastEvents").path("sandbox-rich").path("outcome").asText()).isEqualTo("dropped:echo-marker");

        assertThat(ops("record", "history", t, "contact", "app:nope").exit()).isEqualTo(2);
    }

    @Test
    void outboxApproveAndRetryAreConditionalOnStatusAndTokenAndLeaveAnAuditItem() {
        String t = tenant();
        put(SyncResources.STATE_TABLE, outbox(t, "held", "app:c_held"));
        put(SyncResources.STATE_TABLE, outbox(t, "failed", "app:c_failed"));

        Result list = ops("outbox", "list", t, "sandbox-rich", "rich1");
        assertThat(list.out()).contains("held", "contact#app:c_held", "failed", "HTTP 400: bad field", "2 write(s)");
        assertThat(ops("outbox", "list", t, "sandbox-rich", "rich1", "--status", "held").out()).contains("1 write(s)");

        Result approve = ops("outbox", "approve", t, "sandbox-rich", "rich1", "contact#app:c_held", "--why", "delete confirmed");
        assertThat(approve.exit()).as(approve.err()).isZero();
        Result retry = ops("outbox", "retry", t, "sandbox-rich", "rich1", "contact#app:c_failed", "--why", "field fixed");
        assertThat(retry.exit()).as(retry.err()).isZero();

        Map<String, AttributeValue> held = get("OUTBOX#" + t + "#sandbox-rich#rich1", "contact#app:c_held");
        assertThat(held.get("status").s()).isEqualTo("pending");
        assertThat(held.get("writeToken").s()).as("the processor's token is kept").isEqualTo("tok-held");
        Map<String, AttributeValue> failed = get("OUTBOX#" + t + "#sandbox-rich#rich1", "contact#app:c_failed");
        assertThat(failed.get("status").s()).isEqualTo("pending");
        assertThat(failed.get("attempts").n()).isEqualTo("0");
        assertThat(failed).doesNotContainKey("lastError");

        // a second approve finds it pending: refused, nothing written
        Result again = ops("outbox", "approve", t, "sandbox-rich", "rich1", "contact#app:c_held", "--why", "again");
        assertThat(again.exit()).isEqualTo(2);
        assertThat(again.err()).contains("is pending, not held");

        List<Map<String, AttributeValue>> audits = dynamo().query(b -> b.tableName(SyncResources.STATE_TABLE)
                .keyConditionExpression("pk = :pk").expressionAttributeValues(Map.of(":pk",
                        s("AUDIT#" + CLOCK.instant().toString().substring(0, 10))))).items().stream()
                .filter(i -> i.get("target").s().contains(t)).toList();
        assertThat(audits).hasSize(2);
        assertThat(audits).allSatisfy(a -> {
            assertThat(a.get("type").s()).isEqualTo("AUDIT");
            assertThat(a.get("who").s()).isEqualTo("test-operator");
            assertThat(a.get("at").s()).isNotBlank();
        });
        assertThat(audits).extracting(a -> a.get("why").s()).containsExactlyInAnyOrder("delete confirmed", "field fixed");
    }

    @Test
    void dlqListShowsWhyAndRedriveMovesTheLettersBackUnchanged() {
        SqsClient sqs = aws.sqs();
        SyncResources.Queues queues = SyncResources.createQueues(sqs, "ops-" + UUID.randomUUID().toString().substring(0, 8),
                3, Duration.ofSeconds(1));
        Map<String, MessageAttributeValue> attributes = Map.of(
                "failureCause", attr("mapping-error"), "failureLayer", attr("normalize"),
                "failureDetail", attr("occurredAt 'yesterday-ish' is not an ISO-8601 timestamp"),
                "eventId", attr("1846003001"), "system", attr("hubspot"), "tenant", attr("acme"));
        String id = sqs.sendMessage(b -> b.queueUrl(queues.dlqUrl()).messageBody("{\"v\":1}").messageAttributes(attributes))
                .messageId();

        Result list = ops("dlq", "list", "--dlq-url", queues.dlqUrl());
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out()).contains(id, "mapping-error", "normalize", "hubspot", "1846003001", "yesterday-ish",
                "1 dead letter(s)");
        Result show = ops("dlq", "show", id, "--dlq-url", queues.dlqUrl());
        assertThat(show.out()).contains("failureCause: mapping-error", "body: {\"v\":1}");

        Result redrive = ops("dlq", "redrive", "--dlq-url", queues.dlqUrl(), "--queue-url", queues.queueUrl());
        assertThat(redrive.exit()).as(redrive.err()).isZero();
        assertThat(redrive.out()).contains("StartMessageMoveTask started");
        List<software.amazon.awssdk.services.sqs.model.Message> moved = new ArrayList<>();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            moved.addAll(sqs.receiveMessage(b -> b.queueUrl(queues.queueUrl()).waitTimeSeconds(1)
                    .messageAttributeNames("All")).messages());
            return !moved.isEmpty();
        });
        assertThat(moved).hasSize(1);
        assertThat(moved.get(0).body()).as("unchanged").isEqualTo("{\"v\":1}");

        // the copy path (endpoints without StartMessageMoveTask): receive, send without the failure attributes, delete
        sqs.sendMessage(b -> b.queueUrl(queues.dlqUrl()).messageBody("{\"v\":2}").messageAttributes(attributes));
        Result copied = ops("dlq", "redrive", "--copy", "--dlq-url", queues.dlqUrl(), "--queue-url", queues.queueUrl());
        assertThat(copied.exit()).as(copied.err()).isZero();
        assertThat(copied.out()).contains("1 message(s) moved");
        var second = sqs.receiveMessage(b -> b.queueUrl(queues.queueUrl()).waitTimeSeconds(1).messageAttributeNames("All"))
                .messages();
        assertThat(second).hasSize(1);
        assertThat(second.get(0).body()).isEqualTo("{\"v\":2}");
        assertThat(second.get(0).messageAttributes()).containsOnlyKeys("eventId", "system", "tenant");
    }

    @Test
    void watermarksShowTheReconcilersItemsWithTheirStaleness() {
        String t = tenant();
        ReconcileJob job = new ReconcileJob(t, "app", t, "contact");
        DynamoWatermarkStore store = watermarkStore();
        Instant started = CLOCK.instant().minus(Duration.ofHours(2));
        Watermark.RunPlan plan = Watermark.plan(job, Optional.empty(), started, Duration.ofMinutes(2), false);
        assertThat(store.acquire(job, "run-1", started, started.plusSeconds(900))).isPresent();
        assertThat(store.finish(Watermark.after(plan, Optional.empty(), started, Watermark.Ending.COMPLETED, 3,
                Optional.empty(), Optional.empty()), "run-1")).isTrue();

        Result result = ops("watermarks");

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out()).containsPattern(java.util.regex.Pattern.quote(job.label())
                + " +\\S+ +(2h0m|1h59m) +completed");
    }

    @Test
    void ratesCountEchoDropsPerSystemAndTenantAndOutboundWritesPerAccount() {
        String t = tenant();
        String recent = CLOCK.instant().minusSeconds(60).toString();
        String old = CLOCK.instant().minus(Duration.ofHours(3)).toString();
        int i = 0;
        for (String[] e : new String[][] { { "dropped:echo-marker", recent }, { "dropped:echo-actor", recent },
                { "applied", recent }, { "dropped:echo-marker", old } }) {
            put(SyncResources.EVENTS_TABLE, Map.of("pk", s("EVENT#sandbox-rich#" + t + "#e" + i++), "type", s("DEDUP"),
                    "status", s("DONE"), "outcome", s(e[0]), "finishedAt", s(e[1]), "system", s("sandbox-rich"),
                    "tenant", s(t)));
        }
        put(SyncResources.STATE_TABLE, Map.of("pk", s("RECORD#" + t + "#contact#app:c_9"), "sk", s("STATE"),
                "type", s("SYNC_STATE"), "systems", AttributeValue.fromM(Map.of("sandbox-rich", AttributeValue.fromM(Map.of(
                        "account", s("acct-" + t), "direction", s("outbound"), "syncedAt", s(recent)))))));

        Result result = ops("rates", "--last", "1h");

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out()).containsPattern("sandbox-rich/" + t + " +2 +0 +1 +0");
        assertThat(result.out()).containsPattern("sandbox-rich/acct-" + t + " +1");
    }

    @Test
    void pauseAndResumeFlipTheBreakersSwitchConditionallyWithAnAuditItemAndTheEngineSeesIt() {
        String t = tenant();
        AccountKey account = new AccountKey(t, "hubspot", "62515");
        DynamoBreakerStore breakers = breakerStore();

        Result pause = ops("pause", t, "hubspot", "62515", "--why", "loop on contact app:c_42, INC-123");
        assertThat(pause.exit()).as(pause.err()).isZero();
        assertThat(pause.out()).contains(account.label() + ": paused");
        assertThat(breakers.find(account).paused()).as("the engine's own read").isTrue();

        Result again = ops("pause", t, "hubspot", "62515", "--why", "twice");
        assertThat(again.exit()).isEqualTo(2);
        assertThat(again.err()).contains("already paused", "nothing done");

        // the engine still writes the item (a 429 opens it): the pause survives, the show says both
        breakers.open(account, "rate-limited", CLOCK.instant(), CLOCK.instant().plusSeconds(60), "default 10/10",
                Optional.empty());
        Result show = ops("breaker", "show", t, "hubspot", "62515");
        assertThat(show.exit()).as(show.err()).isZero();
        assertThat(show.out()).contains("BREAKER#" + account.label()).containsPattern("state +open")
                .containsPattern("paused +true").containsPattern("reason +rate-limited").containsPattern("trips +1");

        Result resume = ops("resume", t, "hubspot", "62515", "--why", "fixed in abc123, INC-123");
        assertThat(resume.exit()).as(resume.err()).isZero();
        assertThat(resume.out()).contains("resumed", "still open");
        assertThat(breakers.find(account).paused()).isFalse();
        assertThat(ops("resume", t, "hubspot", "62515", "--why", "twice").err()).contains("not paused");

        assertThat(audits(t)).extracting(a -> a.get("action").s() + ":" + a.get("why").s() + ":" + a.get("after").s())
                .containsExactlyInAnyOrder("pause:loop on contact app:c_42, INC-123:paused=true",
                        "resume:fixed in abc123, INC-123:paused=false");
    }

    @Test
    void breakerResetClosesAnOpenBreakerOnlyAsShownAndIsAudited() {
        String t = tenant();
        AccountKey account = new AccountKey(t, "sandbox-rich", "rich1");
        DynamoBreakerStore breakers = breakerStore();

        Result closed = ops("breaker", "reset", t, "sandbox-rich", "rich1", "--why", "nothing to do");
        assertThat(closed.exit()).isEqualTo(2);
        assertThat(closed.err()).contains("closed: nothing to reset");

        breakers.open(account, "loop-suspected", CLOCK.instant(), CLOCK.instant().plus(Duration.ofMinutes(15)),
                "", Optional.empty());
        // the loop detector's current window (default 5m), its count past the threshold
        String window = io.loopfree.sync.domain.valve.LoopDetector.windowStart(CLOCK.instant(), Duration.ofMinutes(5))
                .toString();
        window = io.loopfree.sync.domain.change.FieldType.formatInstant(Instant.parse(window));
        String counter = "WRITES#" + account.label() + "#" + window;
        put(SyncResources.EVENTS_TABLE, Map.of("pk", s(counter), "type", s("WRITE_COUNT"),
                "writes", AttributeValue.fromN("37"), "sample03", s("contact/app:c_42")));
        Result reset = ops("breaker", "reset", t, "sandbox-rich", "rich1", "--why", "profile fixed, INC-7");
        assertThat(reset.exit()).as(reset.err()).isZero();
        assertThat(reset.out()).contains("open -> closed");
        Map<String, AttributeValue> restarted = dynamo().getItem(b -> b.tableName(SyncResources.EVENTS_TABLE)
                .key(Map.of("pk", s(counter))).consistentRead(true)).item();
        assertThat(restarted.get("writes").n()).as("restarted, or the next write reopens it").isEqualTo("0");
        assertThat(restarted.get("sample03").s()).as("which records looped stays").isEqualTo("contact/app:c_42");
        Breaker after = breakers.find(account);
        assertThat(after.state()).isEqualTo(Breaker.State.closed);
        assertThat(after.trips()).isZero();
        assertThat(after.reopenAt()).isEmpty();

        // the condition is the breaker as read: a concurrent change (here: a reopening with another trip count,
        // set straight through the item as another instance would) makes the transaction fail, audit included
        Map<String, AttributeValue> key = io.loopfree.sync.adapters.dynamodb.BreakerItemMapper.key(account);
        var seen = breakers.find(account).openedUntil("rate-limited", CLOCK.instant(), CLOCK.instant().plusSeconds(60));
        breakers.open(account, "rate-limited", CLOCK.instant(), CLOCK.instant().plusSeconds(120), "", Optional.empty());
        breakers.open(account, "rate-limited", CLOCK.instant(), CLOCK.instant().plusSeconds(240), "", Optional.empty());
        assertThat(seen.trips()).isNotEqualTo(breakers.find(account).trips());
        var stale = io.loopfree.sync.adapters.dynamodb.BreakerItemMapper.operatorReset(SyncResources.STATE_TABLE,
                account, seen, CLOCK.instant());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dynamo().transactWriteItems(b -> b.transactItems(
                software.amazon.awssdk.services.dynamodb.model.TransactWriteItem.builder().update(stale).build())))
                .isInstanceOf(software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException.class);
        assertThat(dynamo().getItem(b -> b.tableName(SyncResources.STATE_TABLE).key(key).consistentRead(true)).item()
                .get("state").s()).isEqualTo("open");

        assertThat(audits(t)).singleElement().satisfies(a -> {
            assertThat(a.get("action").s()).isEqualTo("breaker reset");
            assertThat(a.get("before").s()).contains("state=open", "trips=1", "loop-suspected");
            assertThat(a.get("who").s()).isEqualTo("test-operator");
        });
    }

    @Test
    void resyncAsksTheJobsNextReconcilerRunForAFullResyncWhichHonoursAndClearsIt() {
        String t = tenant();
        ReconcileJob job = new ReconcileJob(t, "app", t, "contact");
        DynamoWatermarkStore store = watermarkStore();

        Result never = ops("resync", job.label(), "--why", "x");
        assertThat(never.exit()).as("a job that never ran: nothing created").isEqualTo(2);
        assertThat(never.err()).contains("never run");
        assertThat(ops("resync", "app:" + t + ":contact", "--why", "x").exit()).as("usage").isEqualTo(2);

        Instant t0 = CLOCK.instant().minus(Duration.ofHours(1));
        Watermark.RunPlan first = Watermark.plan(job, Optional.empty(), t0, Duration.ofMinutes(2), false);
        store.acquire(job, "run-1", t0, t0.plusSeconds(900));
        store.finish(Watermark.after(first, Optional.empty(), t0, Watermark.Ending.COMPLETED, 5, Optional.empty(),
                Optional.empty()), "run-1");
        // a run holding the job: refused (its finish would clear the request unhonoured)
        Instant t1 = CLOCK.instant();
        var held = store.acquire(job, "run-2", t1, t1.plusSeconds(900));
        assertThat(ops("resync", job.label(), "--why", "x").err()).contains("a run holds it now");
        store.finish(Watermark.after(Watermark.plan(job, held.get().previous(), t1, Duration.ofMinutes(2), false),
                held.get().previous(), t1, Watermark.Ending.COMPLETED, 0, Optional.empty(), Optional.empty()), "run-2");
        assertThat(held.get().resyncRequested()).isFalse();

        Result resync = ops("resync", job.label(), "--why", "customer restored a backup, INC-9");
        assertThat(resync.exit()).as(resync.err()).isZero();
        assertThat(resync.out()).contains("full resync requested");
        assertThat(ops("watermarks").out()).containsPattern(java.util.regex.Pattern.quote(job.label()) + " .* asked ");
        assertThat(ops("resync", job.label(), "--why", "twice").exit()).as("already asked").isEqualTo(2);

        // the reconciler's next lease sees it; its plan is then a full sync; its finish clears it
        Instant t2 = CLOCK.instant().plusSeconds(1);
        var next = store.acquire(job, "run-3", t2, t2.plusSeconds(900)).orElseThrow();
        assertThat(next.resyncRequested()).isTrue();
        store.finish(Watermark.after(Watermark.plan(job, next.previous(), t2, Duration.ofMinutes(2), true),
                next.previous(), t2, Watermark.Ending.COMPLETED, 5, Optional.empty(), Optional.empty()), "run-3");
        Instant t3 = t2.plusSeconds(1);
        assertThat(store.acquire(job, "run-4", t3, t3.plusSeconds(900)).orElseThrow().resyncRequested()).isFalse();

        assertThat(audits(t)).singleElement().satisfies(a -> {
            assertThat(a.get("action").s()).isEqualTo("resync");
            assertThat(a.get("target").s()).endsWith(job.asItemKey());
            assertThat(a.get("why").s()).isEqualTo("customer restored a backup, INC-9");
        });
        assertThat(ops("--help").out()).contains("record", "outbox", "dlq", "watermarks", "rates", "pause", "resume",
                "breaker", "resync", "conflicts");
    }

    /** A conflict item as the processor keeps it (docs/dynamodb.md): the app's phone lost to the CRM's. */
    static Map<String, AttributeValue> conflict(String tenant, String canonical, String field, String lost,
            String won, String status) {
        String lostAt = "2026-11-20T10:00:00.120Z";
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", s("CONFLICT#" + tenant));
        item.put("sk", s("contact#" + canonical + "#" + field + "#" + lostAt + "#app"));
        item.put("type", s("CONFLICT"));
        item.put("status", s(status));
        item.put("tenant", s(tenant));
        item.put("resource", s("contact"));
        item.put("canonicalKey", s(canonical));
        item.put("field", s(field));
        item.put("rule", s("last-write-wins"));
        item.put("windowSeconds", AttributeValue.fromN("60"));
        item.put("loser", AttributeValue.fromM(Map.of("system", s("app"), "value", s(lost), "occurredAt", s(lostAt),
                "actor", s("human"))));
        item.put("winner", AttributeValue.fromM(Map.of("system", s("sandbox-rich"), "value", s(won),
                "occurredAt", s("2026-11-20T10:00:00.480Z"), "actor", s("human"))));
        item.put("detectedAt", s("2026-11-20T10:00:01.000Z"));
        item.put("decidedBy", s("app:evt_1"));
        return item;
    }

    @Test
    void conflictsListShowAndResolveWithAnAuditedDecisionThatTravelsTheProcessingQueue() throws Exception {
        String t = tenant();
        put(SyncResources.STATE_TABLE, conflict(t, "app:c_1", "phone", "+1 555 0100", "+1 555 0199", "open"));
        put(SyncResources.STATE_TABLE, conflict(t, "app:c_2", "email", "old@example.com", "new@example.com",
                "resolved"));

        Result list = ops("conflicts", "list", t);
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out()).containsPattern("open +contact#app:c_1 +phone +last-write-wins +app=\\+1 555 0100@"
                + "2026-11-20T10:00:00.120Z +sandbox-rich=\\+1 555 0199@2026-11-20T10:00:00.480Z")
                .doesNotContain("app:c_2").contains("1 conflict(s) in CONFLICT#" + t + " with status open");
        assertThat(ops("conflicts", "list", t, "--status", "all").out()).contains("app:c_1", "app:c_2",
                "2 conflict(s)");

        Result show = ops("conflicts", "show", t, "contact", "app:c_1");
        assertThat(show.exit()).as(show.err()).isZero();
        var shown = OpsItemMapper.JSON.readTree(show.out());
        assertThat(shown).hasSize(1);
        assertThat(shown.get(0).path("loser").path("value").asText()).isEqualTo("+1 555 0100");
        assertThat(shown.get(0).path("winner").path("system").asText()).isEqualTo("sandbox-rich");
        assertThat(ops("conflicts", "show", t, "contact", "app:c_1", "email").exit()).as("no such field's").isEqualTo(2);

        Result noQueue = ops("conflicts", "resolve", t, "contact", "app:c_1", "phone", "--value", "+1 555 0142",
                "--why", "x");
        assertThat(noQueue.exit()).isEqualTo(2);
        assertThat(noQueue.err()).contains("--queue-url");

        SqsClient sqs = aws.sqs();
        SyncResources.Queues queues = SyncResources.createQueues(sqs, "ops-" + UUID.randomUUID().toString().substring(0, 8),
                3, Duration.ofSeconds(30));
        Result resolve = ops("conflicts", "resolve", t, "contact", "app:c_1", "phone", "--value", "+1 555 0142",
                "--why", "the customer called, INC-42", "--queue-url", queues.queueUrl());
        assertThat(resolve.exit()).as(resolve.err()).isZero();
        assertThat(resolve.out()).contains("1 conflict(s) resolving with phone=+1 555 0142");

        Map<String, AttributeValue> item = get("CONFLICT#" + t, "contact#app:c_1#phone#2026-11-20T10:00:00.120Z#app");
        assertThat(item.get("status").s()).isEqualTo("resolving");
        assertThat(item.get("resolution").m().get("value").s()).isEqualTo("+1 555 0142");
        assertThat(item.get("resolution").m().get("who").s()).isEqualTo("test-operator");
        var messages = sqs.receiveMessage(b -> b.queueUrl(queues.queueUrl()).waitTimeSeconds(1)
                .messageAttributeNames("All")).messages();
        assertThat(messages).hasSize(1);
        var decision = io.loopfree.sync.domain.conflict.ConflictResolution.read(
                io.loopfree.sync.domain.envelope.EnvelopeCodec.decode(messages.get(0).body())).orElseThrow();
        assertThat(decision.field()).isEqualTo("phone");
        assertThat(decision.value()).isEqualTo("+1 555 0142");
        assertThat(decision.conflicts()).containsExactly(item.get("sk").s());
        assertThat(decision.id()).isEqualTo(item.get("resolution").m().get("id").s());
        assertThat(messages.get(0).messageAttributes().get("system").stringValue()).isEqualTo("loopfree-ops");

        assertThat(audits(t)).singleElement().satisfies(a -> {
            assertThat(a.get("action").s()).isEqualTo("conflicts resolve");
            assertThat(a.get("why").s()).isEqualTo("the customer called, INC-42");
            assertThat(a.get("before").s()).contains("app=+1 555 0100", "lost to", "sandbox-rich=+1 555 0199");
            assertThat(a.get("after").s()).isEqualTo("phone=+1 555 0142");
        });
        Result resolved = ops("conflicts", "resolve", t, "contact", "app:c_2", "email", "--value", "x", "--why", "y",
                "--queue-url", queues.queueUrl());
        assertThat(resolved.exit()).as("already resolved: nothing done").isEqualTo(2);
        assertThat(resolved.err()).contains("no open conflict");
        assertThat(audits(t)).hasSize(1);
    }

    private static DynamoBreakerStore breakerStore() {
        return new DynamoBreakerStore(dynamo(), TestConfigs.syncConfig(Map.of("sync.tables.state", SyncResources.STATE_TABLE)));
    }

    private static DynamoWatermarkStore watermarkStore() {
        return new DynamoWatermarkStore(dynamo(), TestConfigs.syncConfig(Map.of("sync.tables.state", SyncResources.STATE_TABLE)));
    }

    /** Today's audit items whose target names the test's tenant. */
    private static List<Map<String, AttributeValue>> audits(String tenant) {
        return dynamo().query(b -> b.tableName(SyncResources.STATE_TABLE).keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", s("AUDIT#" + CLOCK.instant().toString().substring(0, 10)))))
                .items().stream().filter(i -> i.get("target").s().contains(tenant)).toList();
    }

    private static MessageAttributeValue attr(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }

    private static Map<String, AttributeValue> get(String pk, String sk) {
        return dynamo().getItem(b -> b.tableName(SyncResources.STATE_TABLE).key(Map.of("pk", s(pk), "sk", s(sk)))
                .consistentRead(true)).item();
    }
}
