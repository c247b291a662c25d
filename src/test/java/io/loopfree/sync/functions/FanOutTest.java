package io.loopfree.sync.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.loopfree.sync.app.AccountOperations;
import io.loopfree.sync.app.PendingWrites;
import io.loopfree.sync.domain.valve.AccountKey;
import io.loopfree.sync.app.ProcessingMetrics;
import io.loopfree.sync.local.sandbox.SandboxAudit;
import io.loopfree.sync.local.sandbox.SandboxControl;
import io.loopfree.sync.support.Fixtures;
import io.loopfree.sync.support.FunctionTestSupport;
import io.loopfree.sync.support.Profiles;
import io.loopfree.sync.support.SyncResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The fan-out end to end at the processor: three live sandbox systems (the app, a HubSpot-like CRM with rich actor
 * metadata, a skinny normalizing CRM that strips our tag), their real webhooks handed to the processor through the
 * Lambda runtime API, DynamoDB Local underneath. Each test has its own tenant, so its connection is its own.
 */
@QuarkusTest
@TestProfile(FanOutTest.ThreeSystems.class)
class FanOutTest extends FunctionTestSupport {

    private static final AtomicInteger TENANTS = new AtomicInteger();
    private static final int MAX_TENANTS = 20;

    /** Outbound tokens per tenant, our identity in the HubSpot-like sandbox, TTLs beyond DynamoDB Local's sweeper. */
    public static class ThreeSystems extends Profiles.Processor {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("sync.identities.sandbox-rich", "loopfree-sync");
            config.put("sync.dedup.ttl", "3650d");
            config.put("sync.markers.ttl", "3650d");
            for (int i = 1; i <= MAX_TENANTS; i++) {
                for (String system : List.of(SandboxWorld.APP, SandboxWorld.RICH, SandboxWorld.SKINNY)) {
                    config.put("webhook-secrets." + system + ".fan" + i + ".outbound-token", SandboxWorld.ENGINE_TOKEN);
                }
            }
            return config;
        }
    }

    @Inject
    ProcessingMetrics metrics;

    @Inject
    PendingWrites pendingWrites;

    @Inject
    AccountOperations operations;

    private SandboxWorld world;

    @AfterEach
    void stop() {
        if (world != null) {
            world.close();
        }
    }

    private SandboxWorld world(java.util.function.UnaryOperator<com.fasterxml.jackson.databind.node.ObjectNode> edit) {
        world = new SandboxWorld("fan" + TENANTS.incrementAndGet());
        try (DynamoDbClient dynamo = dynamo()) {
            world.seedConnection(dynamo, SyncResources.STATE_TABLE, edit);
        }
        return world;
    }

    private List<String> pump() {
        return world.pump(FunctionTestSupport::invoke);
    }

    private SandboxWorld world(java.util.function.UnaryOperator<io.loopfree.sync.local.sandbox.SandboxConfig> richConfig,
            java.util.function.UnaryOperator<com.fasterxml.jackson.databind.node.ObjectNode> edit) {
        world = new SandboxWorld("fan" + TENANTS.incrementAndGet(), richConfig);
        try (DynamoDbClient dynamo = dynamo()) {
            world.seedConnection(dynamo, SyncResources.STATE_TABLE, edit);
        }
        return world;
    }

    /** The webhooks, and what the engine put on the processing queue itself (a newer value found in a target). */
    private List<String> pumpWithQueue() {
        String queueUrl = config("sync.queue-url");
        return world.pump(FunctionTestSupport::invoke, () -> drain(queueUrl, java.time.Duration.ZERO).stream()
                .map(m -> io.loopfree.sync.domain.envelope.EnvelopeCodec.decode(m.body())).toList());
    }

    /** The connection with the HubSpot-like CRM written through {@code profile}. */
    private static com.fasterxml.jackson.databind.node.ObjectNode richProfile(
            com.fasterxml.jackson.databind.node.ObjectNode connection, String profile) {
        connection.withArray("systems").forEach(system -> {
            if (system.path("system").asText().equals(SandboxWorld.RICH)) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) system).put("profile", profile);
            }
        });
        return connection;
    }

    @Test
    void aPersonsEditInAGuardReadTargetMadeBetweenOurPlanAndOurWriteWinsEverywhere() {
        SandboxWorld w = world(java.util.function.UnaryOperator.identity(), c -> richProfile(c, "sandbox-guard-read"));
        aPersonsEditInTheTargetBetweenOurPlanAndOurWriteWins(w, "GET");
    }

    @Test
    void aPersonsEditInAConditionalWriteTargetMadeBetweenOurPlanAndOurWriteWinsEverywhere() {
        SandboxWorld w = world(rich -> rich.withVariety(io.loopfree.sync.local.sandbox.SandboxConfig.Variety.CONDITIONAL_WRITES),
                c -> richProfile(c, "sandbox-conditional"));
        aPersonsEditInTheTargetBetweenOurPlanAndOurWriteWins(w, "PATCH");
    }

    /**
     * Issue 17, part 3: an app edit is planned for the HubSpot-like CRM; a person edits the same field there just
     * before our request reaches it ({@code interceptedMethod}: the guard read, or the conditional write). The
     * person's edit is the latest by the providers' clocks: it must be what every system ends with, our older value
     * must never overwrite it, and each system is written at most once for it.
     */
    private void aPersonsEditInTheTargetBetweenOurPlanAndOurWriteWins(SandboxWorld w, String interceptedMethod) {
        JsonNode created = w.app.humanCreate("contact", Map.of("email", "ada@example.com", "name", "Ada Lovelace"));
        assertThat(pumpWithQueue()).isEmpty();
        String appId = created.path("id").asText();
        String richId = w.only(SandboxWorld.RICH).path("id").asText();
        int appWrites = w.engineWrites(SandboxWorld.APP).size();
        int richWrites = w.engineWrites(SandboxWorld.RICH).size();
        int skinnyWrites = w.engineWrites(SandboxWorld.SKINNY).size();

        java.util.concurrent.atomic.AtomicBoolean fired = new java.util.concurrent.atomic.AtomicBoolean();
        w.rich.intercept(request -> {
            if (request.header("Authorization").isPresent() && request.method().equals(interceptedMethod)
                    && request.path().endsWith("/" + richId) && fired.compareAndSet(false, true)) {
                w.rich.humanEdit("contact", richId, Map.of("email", "ada.person@example.com"));
            }
            return null; // then handled as usual
        });
        w.app.humanEdit("contact", appId, Map.of("email", "ada.app@example.com"));
        assertThat(pumpWithQueue()).isEmpty();

        assertThat(fired).as("the person's edit landed between our plan and our write").isTrue();
        assertThat(w.only(SandboxWorld.RICH).path("email").asText()).as("never overwritten by our older value")
                .isEqualTo("ada.person@example.com");
        assertThat(w.only(SandboxWorld.APP).path("email").asText()).isEqualTo("ada.person@example.com");
        assertThat(w.only(SandboxWorld.SKINNY).path("Email").asText()).isEqualTo("ada.person@example.com");
        List<SandboxAudit.Write> toRich = w.engineWrites(SandboxWorld.RICH).stream().skip(richWrites)
                .filter(write -> write.status() < 300).toList();
        assertThat(toRich).as("nothing of ours landed in the CRM after the person's edit").isEmpty();
        assertThat(w.engineWrites(SandboxWorld.APP).stream().skip(appWrites).filter(write -> write.status() < 300))
                .as("the app: written once, with the person's value").hasSize(1);
        assertThat(w.engineWrites(SandboxWorld.SKINNY).stream().skip(skinnyWrites).filter(write -> write.status() < 300))
                .as("the skinny CRM: the app's edit, then the person's, once each").hasSize(2);
        assertThat(outbox(w)).as("the superseded write is gone, nothing pending").isEmpty();
        // the value found there is decided as the CRM's change (a listed record: no actor named, a person's); the
        // person's own webhook then repeats it: the app's value lost to a person who never saw it, kept once
        assertThat(conflictItems(w)).as("the app person's value lost to the CRM person's: one conflict")
                .singleElement().satisfies(conflict -> {
                    assertThat(conflict.get("rule").s()).isEqualTo("last-write-wins");
                    assertThat(conflict.get("field").s()).isEqualTo("email");
                    assertThat(conflict.get("loser").m().get("system").s()).isEqualTo(SandboxWorld.APP);
                    assertThat(conflict.get("loser").m().get("value").s()).isEqualTo("ada.app@example.com");
                    assertThat(conflict.get("winner").m().get("system").s()).isEqualTo(SandboxWorld.RICH);
                    assertThat(conflict.get("winner").m().get("value").s()).isEqualTo("ada.person@example.com");
                });
    }

    @Test
    void aContactCreatedInTheAppReachesBothCrmsInTheirOwnNamesOnceAndItsEchoesDie() {
        SandboxWorld w = world(c -> c);
        long actor = metrics.count("dropped:echo-actor");
        long marker = metrics.count("dropped:echo-marker");
        JsonNode created = w.app.humanCreate("contact", Map.of("email", "ada@example.com", "name", "Ada Lovelace"));
        String canonical = "app:" + created.path("id").asText();

        assertThat(pump()).isEmpty();

        JsonNode rich = w.only(SandboxWorld.RICH);
        assertThat(rich.path("firstname").asText()).isEqualTo("Ada");
        assertThat(rich.path("lastname").asText()).isEqualTo("Lovelace");
        assertThat(rich.path("email").asText()).isEqualTo("ada@example.com");
        assertThat(rich.path("loopfree_id").asText()).isEqualTo(canonical);
        JsonNode skinny = w.only(SandboxWorld.SKINNY);
        assertThat(skinny.path("FirstName").asText()).isEqualTo("Ada");
        assertThat(skinny.path("LastName").asText()).isEqualTo("Lovelace");
        assertThat(skinny.path("Email").asText()).isEqualTo("ada@example.com");

        // amplification 1 per target, nothing back to the app, every write tagged and keyed
        for (String target : List.of(SandboxWorld.RICH, SandboxWorld.SKINNY)) {
            List<SandboxAudit.Write> writes = w.engineWrites(target);
            assertThat(writes).as(target).hasSize(1);
            assertThat(writes.get(0).changeAgent()).isEqualTo("loopfree-sync");
            assertThat(writes.get(0).idempotencyKey()).startsWith("loopfree-");
        }
        assertThat(w.engineWrites(SandboxWorld.APP)).isEmpty();
        assertThat(metrics.count("dropped:echo-actor")).as("the HubSpot-like echo names our client id")
                .isEqualTo(actor + 1);
        assertThat(metrics.count("dropped:echo-marker")).as("the skinny echo, fetched, matches our marker")
                .isEqualTo(marker + 1);

        Map<String, AttributeValue> link = stateItem("LINK#" + w.tenant + "#contact#sandbox-rich#" + rich.path("id").asText(), "LINK");
        assertThat(link.get("canonicalKey").s()).isEqualTo(canonical);
        Map<String, AttributeValue> state = stateItem("RECORD#" + w.tenant + "#contact#" + canonical, "STATE");
        Map<String, AttributeValue> skinnyState = state.get("systems").m().get(SandboxWorld.SKINNY).m();
        assertThat(skinnyState.get("direction").s()).isEqualTo("outbound");
        assertThat(skinnyState.get("actorId").s()).isEqualTo("sync_engine");
        assertThat(skinnyState.get("recordId").s()).isEqualTo(skinny.path("id").asText());
        assertThat(state.get("canonical").m().get("fields").m().get("firstName").s()).isEqualTo("Ada");
        assertThat(outbox(w)).as("nothing left pending").isEmpty();
    }

    @Test
    void anEditInTheSkinnyNormalizingCrmIsFetchedAndReachesTheOthersAndIsNeverFannedOutAgain() {
        SandboxWorld w = world(c -> c);
        w.app.humanCreate("contact", Map.of("email", "ada@example.com", "name", "Ada Lovelace", "subscribed", true));
        assertThat(pump()).isEmpty();
        String skinnyId = w.only(SandboxWorld.SKINNY).path("id").asText();
        assertThat(w.only(SandboxWorld.SKINNY).path("Subscribed__c").asText()).as("normalized on write")
                .isEqualTo("true");

        w.skinny.humanEdit("contact", skinnyId, Map.of("FirstName", "  Augusta "));
        assertThat(pump()).isEmpty();

        assertThat(w.only(SandboxWorld.APP).path("name").asText()).isEqualTo("Augusta Lovelace");
        assertThat(w.only(SandboxWorld.RICH).path("firstname").asText()).isEqualTo("Augusta");
        assertThat(w.engineWrites(SandboxWorld.APP)).hasSize(1);
        assertThat(w.engineWrites(SandboxWorld.RICH)).hasSize(2);
        assertThat(w.engineWrites(SandboxWorld.SKINNY)).as("the source is not written back").hasSize(1);
        assertThat(w.engineWrites(SandboxWorld.APP).get(0).fields()).as("only the field that differs")
                .containsExactly("name");
    }

    @Test
    void anEchoWhoseMarkerIsGoneIsStillDroppedByTheStateHashAndNeverFannedOut() {
        SandboxWorld w = world(c -> c);
        JsonNode created = w.app.humanCreate("contact", Map.of("email", "barbara@example.com", "name", "Barbara Liskov"));
        String canonical = "app:" + created.path("id").asText();
        assertThat(SandboxWorld.process(FunctionTestSupport::invoke, w.take().get(0))).isEmpty();
        List<SandboxWorld.Delivery> echoes = w.take();
        // the marker expired (or was consumed by a duplicate): only the written-fields hash is left to recognise it
        try (DynamoDbClient dynamo = dynamo()) {
            dynamo.deleteItem(b -> b.tableName(SyncResources.EVENTS_TABLE).key(Map.of("pk",
                    AttributeValue.fromS("MARKER#" + w.tenant + "#sandbox-skinny#contact#" + canonical))));
        }
        long noChange = metrics.count("dropped:no-change");

        for (SandboxWorld.Delivery echo : echoes) {
            assertThat(SandboxWorld.process(FunctionTestSupport::invoke, echo)).isEmpty();
        }
        assertThat(pump()).isEmpty();

        assertThat(metrics.count("dropped:no-change")).as("the skinny CRM's normalized echo hashes like our write")
                .isEqualTo(noChange + 1);
        assertThat(w.engineWrites(SandboxWorld.APP)).isEmpty();
        assertThat(w.engineWrites(SandboxWorld.RICH)).hasSize(1);
        assertThat(w.engineWrites(SandboxWorld.SKINNY)).hasSize(1);
    }

    @Test
    void theWriteIsStoredWithItsMarkerBeforeTheCallAndARateLimitedWriteWaitsForItsAccountsBreaker() {
        SandboxWorld w = world(c -> c);
        w.skinny.control(SandboxControl.fail429(1, 1));
        JsonNode created = w.app.humanCreate("contact", Map.of("email", "grace@example.com", "name", "Grace Hopper"));
        String canonical = "app:" + created.path("id").asText();
        List<SandboxWorld.Delivery> deliveries = w.take();
        assertThat(deliveries).hasSize(1);

        assertThat(SandboxWorld.process(FunctionTestSupport::invoke, deliveries.get(0)))
                .as("applied; the write waits for the account's breaker (docs/safety-valves.md), the message is done")
                .isEmpty();
        assertThat(w.skinny.records("contact")).isEmpty();
        Map<String, AttributeValue> pending = stateItem("OUTBOX#" + w.tenant + "#sandbox-skinny#sandbox-skinny",
                "contact#" + canonical);
        assertThat(pending.get("status").s()).isEqualTo("pending");
        assertThat(pending.get("attempts").n()).as("a 429 is not a failed attempt").isEqualTo("0");
        assertThat(pending.get("lastError").s()).contains("rate limited");
        assertThat(eventItem("MARKER#" + w.tenant + "#sandbox-skinny#contact#" + canonical).get("writes").m())
                .containsKey(pending.get("writeToken").s());

        // the redelivery is a duplicate; after the reset the account's drain (its half-open probe) sends it, same key
        String key = pending.get("idempotencyKey").s();
        assertThat(invoke(SandboxWorld.sqsEvent(deliveries.get(0), 2)).getList("batchItemFailures")).isEmpty();
        assertThat(w.skinny.records("contact")).isEmpty();
        resetPassed(w, SandboxWorld.SKINNY);
        assertThat(operations.drainAccount(new AccountKey(w.tenant, SandboxWorld.SKINNY, SandboxWorld.SKINNY),
                Fixtures.REPLAYED_AT.plusSeconds(10)).written()).isEqualTo(1);
        assertThat(w.only(SandboxWorld.SKINNY).path("Email").asText()).isEqualTo("grace@example.com");
        assertThat(w.engineWrites(SandboxWorld.SKINNY)).filteredOn(write -> write.status() < 300).singleElement()
                .satisfies(write -> assertThat(write.idempotencyKey()).isEqualTo(key));
        assertThat(pump()).isEmpty();
        assertThat(w.engineWrites(SandboxWorld.RICH)).hasSize(1);
        assertThat(outbox(w)).isEmpty();
    }

    @Test
    void anAccountsPendingWritesAreDrainedOnceAndTheRedeliveryFindsNothingLeft() {
        SandboxWorld w = world(c -> c);
        w.skinny.control(SandboxControl.fail429(1, 1));
        w.app.humanCreate("contact", Map.of("email", "edsger@example.com", "name", "Edsger Dijkstra"));
        SandboxWorld.Delivery delivery = w.take().get(0);
        assertThat(SandboxWorld.process(FunctionTestSupport::invoke, delivery)).isEmpty();

        java.time.Instant deadline = Fixtures.REPLAYED_AT.plusSeconds(10);
        assertThat(pendingWrites.drain(w.tenant, SandboxWorld.SKINNY, SandboxWorld.SKINNY, deadline))
                .as("the account's breaker is open: nothing sent").isEqualTo(new PendingWrites.Drained(0, 0, 0, false));
        resetPassed(w, SandboxWorld.SKINNY);
        PendingWrites.Drained drained = pendingWrites.drain(w.tenant, SandboxWorld.SKINNY, SandboxWorld.SKINNY, deadline);
        assertThat(drained).isEqualTo(new PendingWrites.Drained(1, 0, 0, true));
        assertThat(pendingWrites.drain(w.tenant, SandboxWorld.SKINNY, SandboxWorld.SKINNY, deadline))
                .isEqualTo(new PendingWrites.Drained(0, 0, 0, true));

        assertThat(invoke(SandboxWorld.sqsEvent(delivery, 2)).getList("batchItemFailures")).isEmpty();
        assertThat(pump()).isEmpty();
        assertThat(w.engineWrites(SandboxWorld.SKINNY)).filteredOn(write -> write.status() < 300).hasSize(1);
        assertThat(outbox(w)).isEmpty();
    }

    @Test
    void aFunctionKilledBetweenApplyAndWriteStillWritesExactlyOnce() {
        SandboxWorld w = world(c -> c);
        JsonNode created = w.app.humanCreate("contact", Map.of("email", "alan@example.com", "name", "Alan Turing"));
        String canonical = "app:" + created.path("id").asText();
        SandboxWorld.Delivery delivery = w.take().get(0);
        CrashingOutboundClient.CRASH_BEFORE_WRITING.add(canonical);

        assertThat(SandboxWorld.process(FunctionTestSupport::invoke, delivery)).hasSize(1);
        assertThat(w.engineWrites(SandboxWorld.RICH)).isEmpty();
        assertThat(outbox(w)).hasSize(2);
        assertThat(stateItem("RECORD#" + w.tenant + "#contact#" + canonical, "STATE").get("writing").m()
                .get("event").s()).as("the record is marked as being written by that event")
                .isEqualTo("EVENT#" + delivery.system() + "#" + w.tenant + "#" + delivery.eventId());

        leaseRunsOut(w, delivery);
        assertThat(invoke(SandboxWorld.sqsEvent(delivery, 2)).getList("batchItemFailures")).isEmpty();
        assertThat(stateItem("RECORD#" + w.tenant + "#contact#" + canonical, "STATE"))
                .as("the redelivery of the same event sent the writes and ended the mark").doesNotContainKey("writing");
        assertThat(pump()).isEmpty();
        assertThat(w.engineWrites(SandboxWorld.RICH)).hasSize(1);
        assertThat(w.engineWrites(SandboxWorld.SKINNY)).hasSize(1);
        assertThat(w.sandbox(SandboxWorld.RICH).records("contact")).hasSize(1);
        assertThat(outbox(w)).isEmpty();
    }

    @Test
    void anEditOurWriteOverwroteBeforeItsWebhookArrivedIsOlderThanWhatTheSystemHoldsAndEverySystemConverges() {
        SandboxWorld w = world(c -> c);
        JsonNode created = w.app.humanCreate("contact", Map.of("email", "grace@example.com", "name", "Grace Hopper"));
        assertThat(pump()).isEmpty();
        String appId = created.path("id").asText();
        String richId = w.only(SandboxWorld.RICH).path("id").asText();
        long stale = metrics.count("dropped:stale");

        // a person edits the app, and right after the CRM; the app's webhook is processed first, so our write lands
        // in the CRM after the person's edit there (and overwrites it); the CRM's webhook of that edit comes after
        w.app.humanEdit("contact", appId, Map.of("phone", "+1 555 0100"));
        List<SandboxWorld.Delivery> appEdit = w.take();
        w.rich.humanEdit("contact", richId, Map.of("phone", "+1 555 0199"));
        List<SandboxWorld.Delivery> richEdit = w.take();
        appEdit.forEach(d -> assertThat(SandboxWorld.process(FunctionTestSupport::invoke, d)).isEmpty());
        richEdit.forEach(d -> assertThat(SandboxWorld.process(FunctionTestSupport::invoke, d)).isEmpty());
        assertThat(pump()).isEmpty();

        assertThat(metrics.count("dropped:stale")).as("older than our write, which landed after it").isEqualTo(stale + 1);
        assertThat(w.only(SandboxWorld.RICH).path("phone").asText()).isEqualTo("+1 555 0100");
        assertThat(w.app.records("contact").get(0).path("phone").asText()).isEqualTo("+1 555 0100");
        assertThat(w.only(SandboxWorld.SKINNY).path("Phone").asText()).isEqualTo("+1 555 0100");
        Map<String, AttributeValue> state = stateItem("RECORD#" + w.tenant + "#contact#app:" + appId, "STATE");
        assertThat(state.get("systems").m().get(SandboxWorld.RICH).m().get("fields").m().get("phone").s())
                .as("the sync state says what the CRM holds").isEqualTo("+1 555 0100");
        assertThat(state).as("nobody is writing the record any more").doesNotContainKey("writing");
    }

    @Test
    void twoPeopleEditingOneFieldInTwoSystemsWithinTheWindowLeaveOneConflictWithBothValuesAndTheNewerEverywhere() {
        SandboxWorld w = world(c -> c);
        String canonical = twoPeopleEditThePhone(w);

        for (String system : List.of(SandboxWorld.APP, SandboxWorld.RICH, SandboxWorld.SKINNY)) {
            assertThat(w.only(system).path(system.equals(SandboxWorld.SKINNY) ? "Phone" : "phone").asText())
                    .as("the newer edit in " + system).isEqualTo("+1 555 0199");
        }
        List<Map<String, AttributeValue>> conflicts = conflictItems(w);
        assertThat(conflicts).as("the app's value lost to the CRM's newer one: kept, once").singleElement()
                .satisfies(conflict -> {
                    assertThat(conflict.get("type").s()).isEqualTo("CONFLICT");
                    assertThat(conflict.get("status").s()).isEqualTo("open");
                    assertThat(conflict.get("canonicalKey").s()).isEqualTo(canonical);
                    assertThat(conflict.get("field").s()).isEqualTo("phone");
                    assertThat(conflict.get("rule").s()).isEqualTo("last-write-wins");
                    Map<String, AttributeValue> loser = conflict.get("loser").m();
                    Map<String, AttributeValue> winner = conflict.get("winner").m();
                    assertThat(loser.get("system").s()).isEqualTo(SandboxWorld.APP);
                    assertThat(loser.get("value").s()).isEqualTo("+1 555 0100");
                    assertThat(loser.get("actor").s()).as("this app names no actor: nobody we can tell, a person's")
                            .isEqualTo("unknown");
                    assertThat(winner.get("actor").s()).isEqualTo("human");
                    assertThat(winner.get("system").s()).isEqualTo(SandboxWorld.RICH);
                    assertThat(winner.get("value").s()).isEqualTo("+1 555 0199");
                    assertThat(java.time.Instant.parse(loser.get("occurredAt").s()))
                            .isBefore(java.time.Instant.parse(winner.get("occurredAt").s()));
                    assertThat(conflict.get("sk").s()).startsWith("contact#" + canonical + "#phone#")
                            .endsWith("#" + SandboxWorld.APP);
                });
    }

    @Test
    void anOperatorResolvesAConflictWithAChosenValueWrittenOnceToEverySystemAndAudited() {
        SandboxWorld w = world(c -> c);
        String canonical = twoPeopleEditThePhone(w);
        String queue;
        try (var sqs = sqs()) {
            queue = sqs.createQueue(b -> b.queueName("conflicts-" + w.tenant)).queueUrl();
        }
        Map<String, Integer> before = new HashMap<>();
        for (String system : List.of(SandboxWorld.APP, SandboxWorld.RICH, SandboxWorld.SKINNY)) {
            before.put(system, w.engineWrites(system).size());
        }

        String listed = ops("conflicts", "list", w.tenant);
        assertThat(listed).contains("open", "contact#" + canonical, "phone", "last-write-wins", "app=+1 555 0100",
                "sandbox-rich=+1 555 0199", "1 conflict(s)");
        String resolved = ops("conflicts", "resolve", w.tenant, "contact", canonical, "phone", "--value",
                "+1 555 0142", "--why", "the customer called, INC-42", "--queue-url", queue);
        assertThat(resolved).contains("1 conflict(s) resolving with phone=+1 555 0142");
        assertThat(conflictItems(w).get(0).get("status").s()).as("until the processor applies it")
                .isEqualTo("resolving");

        // the decision travels the processing queue like any change
        List<software.amazon.awssdk.services.sqs.model.Message> messages = drain(queue, java.time.Duration.ofSeconds(1));
        assertThat(messages).hasSize(1);
        var envelope = io.loopfree.sync.domain.envelope.EnvelopeCodec.decode(messages.get(0).body());
        assertThat(SandboxWorld.process(FunctionTestSupport::invoke,
                new SandboxWorld.Delivery(envelope.system(), envelope.eventId(), envelope))).isEmpty();
        assertThat(pump()).as("its echoes die").isEmpty();

        for (String system : List.of(SandboxWorld.APP, SandboxWorld.RICH, SandboxWorld.SKINNY)) {
            assertThat(w.only(system).path(system.equals(SandboxWorld.SKINNY) ? "Phone" : "phone").asText())
                    .as("the chosen value in " + system).isEqualTo("+1 555 0142");
            assertThat(w.engineWrites(system)).as("one write to " + system).hasSize(before.get(system) + 1);
        }
        Map<String, AttributeValue> conflict = conflictItems(w).get(0);
        assertThat(conflict.get("status").s()).isEqualTo("resolved");
        assertThat(conflict.get("resolution").m().get("who").s()).isEqualTo("oncall");
        assertThat(conflict.get("resolution").m().get("why").s()).isEqualTo("the customer called, INC-42");
        assertThat(conflict).containsKey("resolvedAt");
        Map<String, AttributeValue> state = stateItem("RECORD#" + w.tenant + "#contact#" + canonical, "STATE");
        assertThat(state.get("canonical").m().get("origins").m().get("phone").m().get("system").s())
                .isEqualTo("loopfree-ops");
        try (DynamoDbClient dynamo = dynamo()) {
            assertThat(dynamo.scan(b -> b.tableName(SyncResources.STATE_TABLE)
                    .filterExpression("#type = :audit AND contains(#target, :tenant)")
                    .expressionAttributeNames(Map.of("#type", "type", "#target", "target"))
                    .expressionAttributeValues(Map.of(":audit", AttributeValue.fromS("AUDIT"),
                            ":tenant", AttributeValue.fromS("CONFLICT#" + w.tenant + " /")))).items())
                    .singleElement().satisfies(audit -> {
                        assertThat(audit.get("action").s()).isEqualTo("conflicts resolve");
                        assertThat(audit.get("who").s()).isEqualTo("oncall");
                        assertThat(audit.get("after").s()).isEqualTo("phone=+1 555 0142");
                        assertThat(audit.get("before").s()).contains("app=+1 555 0100", "lost to",
                                "sandbox-rich=+1 555 0199");
                    });
        }
        assertThat(ops("conflicts", "resolve", w.tenant, "contact", canonical, "phone", "--value", "x", "--why",
                "twice", "--queue-url", queue)).contains("no open conflict");
    }

    /**
     * A person edits the phone in the app, another one a moment later in the HubSpot-like CRM; the CRM's webhook is
     * processed first, the app's after our write of the CRM's value landed over the app's edit.
     */
    private String twoPeopleEditThePhone(SandboxWorld w) {
        JsonNode created = w.app.humanCreate("contact", Map.of("email", "kay@example.com", "name", "Kay Nygaard"));
        assertThat(pump()).isEmpty();
        String appId = created.path("id").asText();
        String richId = w.only(SandboxWorld.RICH).path("id").asText();
        assertThat(conflictItems(w)).as("a create is nobody's lost value").isEmpty();

        w.app.humanEdit("contact", appId, Map.of("phone", "+1 555 0100"));
        List<SandboxWorld.Delivery> appEdit = w.take();
        w.rich.humanEdit("contact", richId, Map.of("phone", "+1 555 0199"));
        List<SandboxWorld.Delivery> richEdit = w.take();
        richEdit.forEach(d -> assertThat(SandboxWorld.process(FunctionTestSupport::invoke, d)).isEmpty());
        appEdit.forEach(d -> assertThat(SandboxWorld.process(FunctionTestSupport::invoke, d)).isEmpty());
        assertThat(pump()).isEmpty();
        return "app:" + appId;
    }

    private static List<Map<String, AttributeValue>> conflictItems(SandboxWorld w) {
        try (DynamoDbClient dynamo = dynamo()) {
            return dynamo.query(b -> b.tableName(SyncResources.STATE_TABLE).consistentRead(true)
                    .keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("CONFLICT#" + w.tenant)))).items();
        }
    }

    /** {@code bin/loopfree-ops <args>} against the test's DynamoDB Local and ElasticMQ: what it printed. */
    private static String ops(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("--dynamodb-endpoint",
                config("quarkus.dynamodb.endpoint-override"), "--sqs-endpoint", config("quarkus.sqs.endpoint-override"),
                "--region", "us-east-1", "--state-table", SyncResources.STATE_TABLE, "--events-table",
                SyncResources.EVENTS_TABLE, "--as", "oncall"));
        all.addAll(List.of(args));
        java.io.StringWriter out = new java.io.StringWriter();
        io.loopfree.sync.ops.LoopfreeOps.run(java.time.Clock.systemUTC(), new java.io.PrintWriter(out, true),
                new java.io.PrintWriter(out, true), all.toArray(String[]::new));
        return out.toString();
    }

    @Test
    void theCreatesEchoArrivingBeforeItsLinkIsStoredFindsItsRecordAndTheRetryIsNotWrittenTwice() {
        SandboxWorld w = world(c -> c);
        JsonNode created = w.app.humanCreate("contact", Map.of("email", "ada@example.com", "name", "Ada Byron"));
        String canonical = "app:" + created.path("id").asText();
        SandboxWorld.Delivery delivery = w.take().get(0);
        FailureInjectingLedger.FAIL_COMPLETE_FOR_RECORDS.add(canonical);

        assertThat(SandboxWorld.process(FunctionTestSupport::invoke, delivery)).as("died after writing").hasSize(1);
        String skinnyId = w.only(SandboxWorld.SKINNY).path("id").asText();
        assertThat(stateItem("LINK#" + w.tenant + "#contact#sandbox-skinny#" + skinnyId, "LINK")).as("no link yet")
                .isEmpty();

        long marker = metrics.count("dropped:echo-marker");
        assertThat(pump()).as("the echoes of the two creates").isEmpty();
        assertThat(metrics.count("dropped:echo-marker")).isEqualTo(marker + 1);
        assertThat(stateItem("RECORD#" + w.tenant + "#contact#sandbox-skinny:" + skinnyId, "STATE"))
                .as("the echo did not become a record of its own").isEmpty();

        leaseRunsOut(w, delivery);
        assertThat(invoke(SandboxWorld.sqsEvent(delivery, 2)).getList("batchItemFailures")).isEmpty();
        assertThat(pump()).isEmpty();
        assertThat(w.sandbox(SandboxWorld.SKINNY).records("contact")).hasSize(1);
        List<SandboxAudit.Write> writes = w.engineWrites(SandboxWorld.SKINNY);
        assertThat(writes).hasSize(2);
        assertThat(writes.get(1).replayed()).as("same idempotency key: answered from the replay, no second write")
                .isTrue();
        assertThat(stateItem("LINK#" + w.tenant + "#contact#sandbox-skinny#" + skinnyId, "LINK")).isNotEmpty();
    }

    @Test
    void objectLevelOwnershipOverwritesAnotherSystemsEditSoEverySystemConverges() {
        SandboxWorld w = world(c -> {
            c.putObject("ownership").put("rule", "object").put("owner", SandboxWorld.APP);
            return c;
        });
        w.app.humanCreate("contact", Map.of("email", "ada@example.com", "name", "Ada Lovelace"));
        assertThat(pump()).isEmpty();
        String richId = w.only(SandboxWorld.RICH).path("id").asText();

        w.rich.humanEdit("contact", richId, Map.of("email", "not-the-owner@example.com"));
        assertThat(pump()).isEmpty();

        assertThat(w.only(SandboxWorld.RICH).path("email").asText()).as("overwritten with the owner's value")
                .isEqualTo("ada@example.com");
        assertThat(w.only(SandboxWorld.APP).path("email").asText()).isEqualTo("ada@example.com");
        assertThat(w.only(SandboxWorld.SKINNY).path("Email").asText()).isEqualTo("ada@example.com");
        assertThat(w.engineWrites(SandboxWorld.APP)).isEmpty();
        assertThat(w.engineWrites(SandboxWorld.SKINNY)).hasSize(1);
    }

    @Test
    void aDeleteIsPropagatedToTheSystemsThatHaveTheRecord() {
        SandboxWorld w = world(c -> c);
        JsonNode created = w.app.humanCreate("contact", Map.of("email", "ada@example.com", "name", "Ada Lovelace"));
        assertThat(pump()).isEmpty();

        w.app.humanDelete("contact", created.path("id").asText());
        assertThat(pump()).isEmpty();

        assertThat(w.only(SandboxWorld.RICH).path("deleted").asBoolean()).isTrue();
        assertThat(w.only(SandboxWorld.SKINNY).path("deleted").asBoolean()).isTrue();
        assertThat(w.engineWrites(SandboxWorld.RICH)).extracting(SandboxAudit.Write::method)
                .containsExactly("PUT", "DELETE");
    }

    @Test
    void aHeldDeleteWaitsInTheOutboxForApproval() {
        SandboxWorld w = world(c -> c.put("onDelete", "hold"));
        JsonNode created = w.app.humanCreate("contact", Map.of("email", "ada@example.com", "name", "Ada Lovelace"));
        assertThat(pump()).isEmpty();

        w.app.humanDelete("contact", created.path("id").asText());
        assertThat(pump()).isEmpty();

        assertThat(w.only(SandboxWorld.RICH).path("deleted").asBoolean()).isFalse();
        assertThat(outbox(w)).hasSize(2).allSatisfy(item -> {
            assertThat(item.get("status").s()).isEqualTo("held");
            assertThat(item.get("action").s()).isEqualTo("DELETE");
        });
    }

    // --- helpers ---

    /** What happens when the instance that held the event died: its lease runs out (here: moved to the past). */
    private static void leaseRunsOut(SandboxWorld w, SandboxWorld.Delivery delivery) {
        try (DynamoDbClient dynamo = dynamo()) {
            dynamo.updateItem(b -> b.tableName(SyncResources.EVENTS_TABLE)
                    .key(Map.of("pk", AttributeValue.fromS("EVENT#" + delivery.system() + "#" + w.tenant + "#"
                            + delivery.eventId())))
                    .updateExpression("SET leaseExpiresAt = :past")
                    .expressionAttributeValues(Map.of(":past",
                            AttributeValue.fromN(Long.toString(Fixtures.REPLAYED_AT.getEpochSecond() - 1)))));
        }
    }

    /** The account's breaker reached its reopen time (the application clock stands still in tests). */
    private static void resetPassed(SandboxWorld w, String system) {
        try (DynamoDbClient dynamo = dynamo()) {
            dynamo.updateItem(b -> b.tableName(SyncResources.STATE_TABLE)
                    .key(Map.of("pk", AttributeValue.fromS("BREAKER#" + w.tenant + "#" + system + "#" + system),
                            "sk", AttributeValue.fromS("BREAKER")))
                    .updateExpression("SET reopenAtEpoch = :past")
                    .expressionAttributeValues(Map.of(":past",
                            AttributeValue.fromN(Long.toString(Fixtures.REPLAYED_AT.getEpochSecond() - 1)))));
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
