package io.loopfree.sync.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.loopfree.sync.local.DemoSystems;
import io.loopfree.sync.local.LocalEngine;
import io.loopfree.sync.local.sandbox.SandboxAudit;
import io.loopfree.sync.local.sandbox.SandboxConfig;
import io.loopfree.sync.local.sandbox.SandboxControl;
import io.loopfree.sync.local.sandbox.SandboxProvider;
import io.loopfree.sync.ops.LoopfreeOps;
import io.loopfree.sync.support.AwsBackend;
import io.loopfree.sync.support.SyncResources;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Converging <b>right</b> (issue 17), judged from the systems' own records and audit logs: the latest human edit of
 * every field, written once, into the one record each system already has. Each scenario has a tenant of its own
 * whose sandboxes behave as a real provider does in that respect ({@code SandboxConfig.Variety}), so that the
 * scenarios stand alone; each prints its figures line with {@code duplicates_created}, {@code double_sends},
 * {@code latest_edit_won} and {@code conflicts} ({@link ScenarioRun}).
 */
class ConvergenceScenariosIT {

    /**
     * Every scenario's tenant: their secrets are in the functions' environment from the start, as a deployment's
     * would be in SSM.
     */
    static final List<String> TENANTS = List.of("converge", "upsertonly", "appcontract", "converge-hs-create",
            "converge-hs-late", "converge-hs-heal", "conflicts", "ratewindow", "storm-guard",
            "storm-cond");

    /** {@code sandbox-upsert-only.json}: the sandbox profile without {@code update}, as a customer might write it. */
    static final Path UPSERT_ONLY_PROFILES = resource("/outbound-upsert-only");

    static LocalEngine engine;
    static SqsClient sqs;

    @BeforeAll
    static void start() {
        Map<String, String> environment = new LinkedHashMap<>();
        TENANTS.forEach(tenant -> environment.putAll(DemoSystems.environment(tenant)));
        // test-only outbound profiles, read before the packaged ones (a deployment's sync.outbound.profiles-dir)
        environment.put("SYNC_OUTBOUND_PROFILES_DIR", UPSERT_ONLY_PROFILES.toString());
        // every system's job may be run by name (a scenario runs the one whose webhook was lost)
        environment.put("SYNC_RECONCILER_JOBS", "*:*:contact");
        // two instances per function, as Lambda's concurrency (the scenario settings: LocalEngine.Settings.forScenarios)
        engine = LocalEngine.start(LocalEngine.Settings.forScenarios(2).withFunctionEnvironment(environment));
        sqs = engine.aws().sqsClient();
    }

    @AfterAll
    static void stop() {
        if (sqs != null) {
            sqs.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    /**
     * The measure itself: a person creates a contact in the app and later edits it in the HubSpot-like CRM; one
     * record per system, each written once per change, the latest edit everywhere, no conflict.
     */
    @Test
    void createdInOneSystemEditedInAnotherConvergesToTheLatestEditOnce() {
        DemoSystems systems = engine.startSystems(DemoSystems.Spec.tenant("converge"));
        ScenarioRun run = new ScenarioRun("create-then-edit-elsewhere", engine, systems, sqs);
        JsonNode created = run.humanCreate(DemoSystems.APP, Map.of("email", "grace@example.com",
                "name", "Grace Hopper"));
        run.awaitQuiet();
        String canonical = "app:" + created.path("id").asText();
        JsonNode rich = run.byExternalId(DemoSystems.RICH, canonical);
        run.humanEdit(DemoSystems.RICH, rich.path("id").asText(), Map.of("lastname", "Brewster Hopper"));
        run.awaitQuiet();

        run.finish(2);
        run.assertConverged(DemoSystems.APP, created.path("id").asText());
        assertThat(run.duplicatesCreated()).as("duplicates created").isZero();
        assertThat(run.doubleSends()).as("double sends").isZero();
        assertThat(run.latestEditWon()).isEqualTo(new ScenarioRun.LatestEditWon(1, 1));
        assertThat(run.conflicts()).as("conflicts").isZero();
        // the create went to two systems, the edit to two: one write each
        assertThat(run.writes()).isEqualTo(4);
    }

    static final int STORM_RECORDS = 30;
    static final int STORM_EDITS = 300;
    /**
     * Edits per second: the storm took 1.2 s on an engine that kept up with it; on a loaded 2-core host the
     * engine drains the same backlog in 15-20 s, so edits made within 1 s all precede our writes and never meet them.
     * Spread over the time the engine works (default 20/s: 15 s), person and engine write the same records at once.
     */
    static final int STORM_RATE = Integer.getInteger("scenarios.storm.rate", 20);

    /**
     * Issue 17, part 3: the storm against targets without preconditions, written through a guard read (the
     * HubSpot way): the latest human edit of each record wins everywhere, save what lands in the window between a
     * guard read and its write.
     */
    @Test
    void aStormOfHumanEditsFromBothSidesAgainstGuardReadTargetsKeepsTheLatestEdit() {
        ScenarioRun run = storm("storm-guard-read", DemoSystems.Spec.tenant("storm-guard")
                .withSystems(DemoSystems.APP, DemoSystems.RICH)
                .withProfile(DemoSystems.APP, "sandbox-guard-read").withProfile(DemoSystems.RICH, "sandbox-guard-read"));
        assertThat(run.latestEditWon().records()).isEqualTo(STORM_RECORDS);
        assertThat(run.latestEditWon().won()).as("latest_edit_won").isGreaterThanOrEqualTo(STORM_RECORDS - 1);
    }

    /** The same storm against targets that take conditional writes (If-Match on the updated_at last seen). */
    @Test
    void aStormOfHumanEditsFromBothSidesAgainstConditionalWriteTargetsKeepsEveryLatestEdit() {
        java.util.function.UnaryOperator<io.loopfree.sync.local.sandbox.SandboxConfig> conditional =
                config -> config.withVariety(io.loopfree.sync.local.sandbox.SandboxConfig.Variety.CONDITIONAL_WRITES);
        ScenarioRun run = storm("storm-conditional", DemoSystems.Spec.tenant("storm-cond")
                .withSystems(DemoSystems.APP, DemoSystems.RICH)
                .adjust(DemoSystems.APP, conditional).adjust(DemoSystems.RICH, conditional)
                .withProfile(DemoSystems.APP, "sandbox-conditional")
                .withProfile(DemoSystems.RICH, "sandbox-conditional"));
        assertThat(run.latestEditWon()).as("latest_edit_won")
                .isEqualTo(new ScenarioRun.LatestEditWon(STORM_RECORDS, STORM_RECORDS));
    }

    /**
     * {@value #STORM_RECORDS} contacts created in the app and synced; then {@value #STORM_EDITS} human edits of their
     * phone, each of a random record in a random one of the two systems, at {@link #STORM_RATE} edits/s.
     */
    private static ScenarioRun storm(String name, DemoSystems.Spec spec) {
        DemoSystems systems = engine.startSystems(spec);
        ScenarioRun setup = new ScenarioRun(name + "-setup", engine, systems, sqs);
        List<String> appIds = new java.util.ArrayList<>();
        for (int r = 0; r < STORM_RECORDS; r++) {
            appIds.add(setup.humanCreate(DemoSystems.APP, Map.of("email", "storm" + r + "@example.com",
                    "name", "Storm Contact" + r, "phone", "+1 555 0100 " + r)).path("id").asText());
        }
        setup.awaitQuiet(Duration.ofMinutes(5));
        List<String> richIds = appIds.stream()
                .map(id -> setup.byExternalId(DemoSystems.RICH, "app:" + id).path("id").asText()).toList();

        ScenarioRun run = new ScenarioRun(name, engine, systems, sqs);
        java.util.Random random = new java.util.Random(17);
        long started = System.nanoTime();
        for (int e = 0; e < STORM_EDITS; e++) {
            int r = random.nextInt(STORM_RECORDS);
            boolean inApp = random.nextBoolean();
            String phone = "+1 555 " + (inApp ? "1" : "2") + String.format("%03d", e) + " " + r;
            run.humanEdit(inApp ? DemoSystems.APP : DemoSystems.RICH, inApp ? appIds.get(r) : richIds.get(r),
                    Map.of("phone", phone));
            java.util.concurrent.locks.LockSupport.parkNanos(started + (long) ((e + 1) * 1e9 / STORM_RATE)
                    - System.nanoTime());
        }
        System.out.printf("scenario=%s: %d human edits over %d records from both systems in %d ms%n", name,
                STORM_EDITS, STORM_RECORDS, (System.nanoTime() - started) / 1_000_000);
        run.awaitQuiet(Duration.ofMinutes(5));
        // a write that met a 412 twice is retried with its message: transient by design
        run.finish(STORM_EDITS, "failed:outbound-retry");
        assertThat(run.duplicatesCreated()).as("duplicates created").isZero();
        // the storm sometimes shows one write in ~250 that changed nothing (1 of 4 full runs, either guard; open:
        // docs/scenarios.md, "What the guard read leaves open"): printed, and bounded here at 1% of the edits
        assertThat(run.doubleSends()).as("double sends").isLessThanOrEqualTo(STORM_EDITS / 100);
        // how many edits race our writes depends on how late the writes are (docs/scenarios.md, the storm), not on
        // the guard: what holds either way is that each conflict is a person's value lost to another person's
        assertThat(run.conflictsNotBetweenPeople()).as("conflicts that are not a person's value lost to another's")
                .isEmpty();
        assertThat(run.conflicts()).as("a record's latest edit is no loser")
                .isLessThanOrEqualTo(STORM_EDITS - STORM_RECORDS);
        return run;
    }

    /**
     * Issue 17, part 1, the app contract as documented: the app updates a record by its id ({@code PATCH}, the shipped
     * {@code app} profile). A person creates a contact in the app — it never gets our external id — and edits it
     * later in the HubSpot-like CRM: the engine writes the edit into that very record, by its id; no second contact.
     */
    @Test
    void aPersonsRecordEditedElsewhereIsUpdatedInPlaceThroughTheAppContract() {
        DemoSystems systems = engine.startSystems(DemoSystems.Spec.tenant("appcontract")
                .withSystems(DemoSystems.APP, DemoSystems.RICH).withProfile(DemoSystems.APP, "app")
                .withConnection(ConvergenceScenariosIT::appUnderApi));
        ScenarioRun run = new ScenarioRun("person-created-edited-elsewhere-app-contract", engine, systems, sqs);
        JsonNode created = run.humanCreate(DemoSystems.APP, Map.of("email", "ada@example.com", "name", "Ada Lovelace"));
        run.awaitQuiet();
        String id = created.path("id").asText();
        JsonNode rich = run.byExternalId(DemoSystems.RICH, "app:" + id);
        run.humanEdit(DemoSystems.RICH, rich.path("id").asText(), Map.of("lastname", "King"));
        run.awaitQuiet();

        run.finish(2);
        assertThat(run.duplicatesCreated()).as("duplicates created").isZero();
        assertThat(systems.sandbox(DemoSystems.APP).records("contact")).as("the app's contacts").hasSize(1);
        assertThat(run.record(DemoSystems.APP, id).path("name").asText()).as("the person's own record, updated")
                .isEqualTo("Ada King");
        assertThat(systems.sandbox(DemoSystems.APP).audit().writes()).filteredOn(w -> "engine".equals(w.by()))
                .as("the engine's writes to the app").singleElement()
                .satisfies(w -> assertThat(w.method() + " " + w.recordId() + " " + w.status())
                        .isEqualTo("PATCH " + id + " 200"));
        run.assertConverged(DemoSystems.APP, id);
        assertThat(run.doubleSends()).as("double sends").isZero();
    }

    /**
     * Issue 17, part 1, the contract without update by id: an app whose integration API updates only by external id
     * ({@code UPDATE_BY_EXTERNAL_ID_ONLY}) connected through a profile without {@code update}. Before, the CRM's
     * edit of a contact a person created in the app went back as {@code PUT …/by-external-id/app:<id>}: a second
     * contact. Now the connection is refused when it is loaded, naming the profile's file: the person's create is
     * dead-lettered with that cause, nothing is written anywhere, and the app keeps its one contact.
     */
    @Test
    void aTargetThatUpdatesOnlyByExternalIdIsRefusedAndNeverGetsASecondRecord() {
        DemoSystems systems = engine.startSystems(DemoSystems.Spec.tenant("upsertonly")
                .withSystems(DemoSystems.APP, DemoSystems.RICH)
                .adjust(DemoSystems.APP, c -> c.withVariety(SandboxConfig.Variety.UPDATE_BY_EXTERNAL_ID_ONLY))
                .withProfile(DemoSystems.APP, "sandbox-upsert-only"));
        ScenarioRun run = new ScenarioRun("person-created-edited-elsewhere-upsert-only", engine, systems, sqs);
        JsonNode created = run.humanCreate(DemoSystems.APP, Map.of("email", "alan@example.com", "name", "Alan Turing"));
        run.awaitQuiet();
        List<ObjectNode> inRich = systems.sandbox(DemoSystems.RICH).records("contact");
        if (!inRich.isEmpty()) {
            // only where the connection was not refused (the old engine): the edit elsewhere that duplicated
            run.humanEdit(DemoSystems.RICH, inRich.get(0).path("id").asText(), Map.of("lastname", "Mathison"));
            run.awaitQuiet();
        }

        // not finish(): the refused create is, on purpose, a webhook that ends failed (dead-lettered with its cause)
        System.out.println(run.figures(inRich.isEmpty() ? 1 : 2));
        assertThat(run.duplicatesCreated()).as("duplicates created").isZero();
        assertThat(systems.sandbox(DemoSystems.APP).records("contact")).as("the app's contacts")
                .extracting(r -> r.path("id").asText()).containsExactly(created.path("id").asText());
        assertThat(run.dropped()).as("the create, refused with its connection").containsKey("failed:invalid-connection");
        assertThat(engine.output("processor")).as("the refusal names the profile's file")
                .anyMatch(line -> line.contains("failed:invalid-connection")
                        && line.contains(UPSERT_ONLY_PROFILES.resolve("sandbox-upsert-only.json").toString()));
        assertThat(inRich).as("nothing is written through a refused connection").isEmpty();
    }

    /** The app's params.baseUrl with the sandbox's /api prefix: the app profile's paths are the contract's. */
    private static ObjectNode appUnderApi(
            ObjectNode connection) {
        connection.withArray("systems").forEach(system -> {
            if (DemoSystems.APP.equals(system.path("system").asText())) {
                ObjectNode params =
                        (ObjectNode) system.path("params");
                params.put("baseUrl", params.path("baseUrl").asText() + "/api");
            }
        });
        return connection;
    }

    private static Path resource(String name) {
        try {
            return Path.of(ConvergenceScenariosIT.class.getResource(name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A HubSpot-like CRM: HubSpot's webhooks v3, a skinny creation then one property change per property. */
    private static DemoSystems hubspotLike(String tenant) {
        return engine.startSystems(DemoSystems.Spec.tenant(tenant)
                .adjust(DemoSystems.RICH, c -> c.withVariety(SandboxConfig.Variety.HUBSPOT_WEBHOOKS)));
    }

    /**
     * Issue 17, defect 6: a person creates a contact in the HubSpot-like CRM, which fires {@code contact.creation}
     * and one {@code contact.propertyChange} per property, processed by two instances in any order: each other
     * system is written once, whole.
     */
    @Test
    void aHubSpotLikeCreateIsWrittenOncePerTarget() {
        DemoSystems systems = hubspotLike("converge-hs-create");
        ScenarioRun run = new ScenarioRun("hubspot-like-create", engine, systems, sqs);
        JsonNode created = run.humanCreate(DemoSystems.RICH, Map.of("email", "ada@example.com", "firstname", "Ada",
                "lastname", "Lovelace", "phone", "+44 20 7946 0000"));
        run.awaitQuiet();

        run.finish(1);
        ScenarioRun.Contact contact = run.assertConverged(DemoSystems.RICH, created.path("id").asText());
        assertThat(contact.phone()).isEqualTo("+44 20 7946 0000");
        run.assertWrites(DemoSystems.APP, 1);
        run.assertWrites(DemoSystems.SKINNY, 1);
        run.assertWrites(DemoSystems.RICH, 0);
        assertThat(run.duplicatesCreated()).as("duplicates created").isZero();
        assertThat(run.doubleSends()).as("double sends").isZero();
    }

    /**
     * Issue 17, defect 4: the creation's webhooks are lost, then a person changes the phone and, later, the email;
     * the two property changes are delivered newest first. The phone, never reported before, is kept everywhere.
     */
    @Test
    void aLatePropertyChangeOfAFieldNeverSeenBeforeIsKept() {
        DemoSystems systems = hubspotLike("converge-hs-late");
        SandboxProvider crm = systems.sandbox(DemoSystems.RICH);
        crm.control(SandboxControl.dropWebhooks(4)); // the creation and its three property changes
        ScenarioRun run = new ScenarioRun("hubspot-like-late-property", engine, systems, sqs);
        String id = run.humanCreate(DemoSystems.RICH, Map.of("email", "katherine@example.com", "firstname",
                "Katherine", "lastname", "Johnson")).path("id").asText();
        crm.control(SandboxControl.reorderWebhooks(2));
        run.humanEdit(DemoSystems.RICH, id, Map.of("phone", "+1 555 0199"));
        run.humanEdit(DemoSystems.RICH, id, Map.of("email", "kj@example.com"));
        run.awaitQuiet();

        ScenarioRun.Contact contact = run.assertConverged(DemoSystems.RICH, id);
        assertThat(contact.phone()).as("the late phone change").isEqualTo("+1 555 0199");
        assertThat(contact.email()).isEqualTo("kj@example.com");
        assertThat(run.duplicatesCreated()).as("duplicates created").isZero();
        run.finish(2);
    }

    /**
     * Issue 17, defect 5: a HubSpot-like property change whose webhook was lost reaches the other systems with the
     * reconciler's next run of that CRM's job (its listed records read through the mapping's fetched section).
     */
    @Test
    void aDroppedHubSpotLikeWebhookIsHealedByTheNextReconcilerRun() throws Exception {
        DemoSystems systems = hubspotLike("converge-hs-heal");
        SandboxProvider crm = systems.sandbox(DemoSystems.RICH);
        ScenarioRun run = new ScenarioRun("hubspot-like-dropped-webhook", engine, systems, sqs);
        String id = run.humanCreate(DemoSystems.RICH, Map.of("email", "dropped@example.com", "firstname", "Lost",
                "lastname", "Webhook")).path("id").asText();
        run.awaitQuiet();
        crm.control(SandboxControl.dropWebhooks(1));
        run.humanEdit(DemoSystems.RICH, id, Map.of("lastname", "Found"));
        run.awaitQuiet();
        assertThat(run.byExternalId(DemoSystems.APP, DemoSystems.RICH + ":" + id).path("name").asText())
                .as("nothing travelled without the webhook").isEqualTo("Lost Webhook");

        run.syncStartsNow();
        JsonNode result = new com.fasterxml.jackson.databind.ObjectMapper().readTree(engine.reconcile(
                "{\"job\":{\"tenant\":\"converge-hs-heal\",\"system\":\"" + DemoSystems.RICH + "\",\"account\":\""
                        + crm.config().account() + "\",\"resource\":\"contact\"}}"));
        assertThat(result.path("jobs")).as("the run: %s", result).hasSize(1);
        assertThat(result.path("jobs").get(0).path("status").asText()).as("%s", result).isEqualTo("completed");
        run.awaitQuiet();

        assertThat(run.assertConverged(DemoSystems.RICH, id).lastName()).isEqualTo("Found");
        run.assertWrites(DemoSystems.RICH, 0);
        run.finish(2);
    }

    /**
     * Two people edit a contact's phone at once, one in the app and one in the HubSpot-like CRM: every system ends
     * with one value, and the one that lost is kept as a conflict item ({@code conflicts=1}), whichever webhook the
     * engine met first. An operator then resolves it with {@code loopfree-ops conflicts resolve}: the decision
     * travels the processing queue to the processor of {@code function.zip}, the chosen value reaches every system,
     * and the conflict is resolved.
     */
    @Test
    void twoPeopleEditingOneFieldInTwoSystemsAtOnceLeaveOneConflictThatAnOperatorResolves() {
        DemoSystems systems = engine.startSystems(DemoSystems.Spec.tenant("conflicts"));
        ScenarioRun run = new ScenarioRun("concurrent-edits-kept-conflict", engine, systems, sqs);
        JsonNode created = run.humanCreate(DemoSystems.APP, Map.of("email", "kay@example.com", "name", "Kay Nygaard"));
        run.awaitQuiet();
        String appId = created.path("id").asText();
        String canonical = "app:" + appId;
        String richId = run.byExternalId(DemoSystems.RICH, canonical).path("id").asText();

        // back to back: neither person can have seen the other's value (the engine takes far longer to carry it)
        run.humanEdit(DemoSystems.APP, appId, Map.of("phone", "+1 555 0100"));
        run.humanEdit(DemoSystems.RICH, richId, Map.of("phone", "+1 555 0199"));
        run.awaitQuiet();

        run.finish(3);
        ScenarioRun.Contact converged = run.assertConverged(DemoSystems.APP, appId);
        assertThat(converged.phone()).isIn("+1 555 0100", "+1 555 0199");
        assertThat(run.duplicatesCreated()).as("duplicates created").isZero();
        assertThat(run.conflicts()).as("the value that lost, kept once").isEqualTo(1);

        StringWriter out = new StringWriter();
        int exit = LoopfreeOps.run(Clock.systemUTC(), new PrintWriter(out, true), new PrintWriter(out, true),
                "--dynamodb-endpoint", engine.aws().dynamoEndpoint().toString(), "--sqs-endpoint",
                engine.aws().sqsEndpoint().toString(), "--region", AwsBackend.REGION, "--state-table",
                SyncResources.STATE_TABLE, "--events-table", SyncResources.EVENTS_TABLE, "--queue-url",
                engine.queues().queueUrl(), "--as", "oncall", "conflicts", "resolve", "conflicts", "contact",
                canonical, "phone", "--value", "+1 555 0142", "--why", "the customer called, INC-42");
        assertThat(exit).as(out.toString()).isZero();
        run.edited();
        run.awaitQuiet();

        assertThat(run.assertConverged(DemoSystems.APP, appId).phone()).isEqualTo("+1 555 0142");
        try (DynamoDbClient dynamo = engine.aws().dynamoClient()) {
            assertThat(dynamo.query(b -> b.tableName(SyncResources.STATE_TABLE).consistentRead(true)
                    .keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("CONFLICT#conflicts")))).items())
                    .singleElement().satisfies(conflict -> assertThat(conflict.get("status").s()).isEqualTo("resolved"));
        }
    }

    /**
     * Issue 17, part 2: a 429 window on the HubSpot-like CRM while five app edits happen. The CRM answers the first
     * write 429 with Retry-After 8 s; its breaker holds that write and the next four; at the reopen time the drain
     * request the opening asked for sends each held write once. Before, two senders (a no-change message and the
     * account's drain) sent the same held write 40 ms apart, and nothing sent them until the next reconciler run.
     */
    @Test
    void aRateLimitWindowSendsEachHeldWriteOnceAtTheReopenTime() {
        DemoSystems systems = engine.startSystems(DemoSystems.Spec.tenant("ratewindow")
                .withSystems(DemoSystems.APP, DemoSystems.RICH));
        ScenarioRun setup = new ScenarioRun("rate-window-setup", engine, systems, sqs);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(setup.humanCreate(DemoSystems.APP, Map.of("email", "wynn" + i + "@example.com",
                    "name", "Wynn Dow" + i)).path("id").asText());
        }
        setup.awaitQuiet();
        SandboxProvider crm = systems.sandbox(DemoSystems.RICH);
        int retryAfterSeconds = 8;
        crm.control(SandboxControl.fail429(1, retryAfterSeconds));

        ScenarioRun run = new ScenarioRun("429-window", engine, systems, sqs);
        for (int i = 0; i < ids.size(); i++) {
            run.humanEdit(DemoSystems.APP, ids.get(i), Map.of("name", "Wynn Windowed" + i));
        }
        // the held writes go out at the reopen time, by a delayed message: the queue looks quiet until then
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> run.writes(DemoSystems.RICH) >= ids.size());
        run.awaitQuiet();

        List<SandboxAudit.Write> engineRequests = crm.audit().writes().stream()
                .filter(w -> "engine".equals(w.by())).toList();
        SandboxAudit.Write limited = engineRequests.stream().filter(w -> w.status() == 429).reduce((a, b) -> b)
                .orElseThrow();
        Instant limitedAt = Instant.parse(limited.at());
        Instant reopenAt = limitedAt.plusSeconds(retryAfterSeconds);
        List<Instant> after429 = engineRequests.subList(engineRequests.indexOf(limited) + 1, engineRequests.size())
                .stream().map(w -> Instant.parse(w.at())).toList();
        // the other instance's write may already have been on its way (it read the breaker closed): not held
        List<Instant> inFlight = after429.stream().filter(at -> at.isBefore(limitedAt.plusSeconds(1))).toList();
        List<Instant> heldOut = after429.stream().filter(at -> !inFlight.contains(at)).toList();
        long lastOutAfterReopenMs = Duration.between(reopenAt, heldOut.stream().max(Instant::compareTo).orElseThrow())
                .toMillis();
        long firstOutAfterReopenMs = Duration.between(reopenAt, heldOut.stream().min(Instant::compareTo).orElseThrow())
                .toMillis();

        String figures = run.finish(ids.size());
        System.out.printf("scenario=429-window held_writes=%d in_flight_at_the_429=%d first_out_after_reopen_ms=%d"
                + " last_out_after_reopen_ms=%d%n", heldOut.size(), inFlight.size(), firstOutAfterReopenMs,
                lastOutAfterReopenMs);
        assertThat(figures).contains("double_sends=0");
        assertThat(run.writes(DemoSystems.RICH)).as("writes to the CRM = the edits that changed something")
                .isEqualTo(ids.size());
        assertThat(run.writes(DemoSystems.APP)).as("nothing written back to the app").isZero();
        assertThat(run.writesPerRecord(DemoSystems.RICH)).as("each held write once").hasSize(ids.size())
                .allSatisfy((record, writes) -> assertThat(writes).isEqualTo(1));
        assertThat(run.doubleSends()).as("double sends").isZero();
        assertThat(heldOut.size() + inFlight.size()).as("every request after the 429 a write that was held, or one"
                + " already on its way").isEqualTo(ids.size());
        assertThat(firstOutAfterReopenMs).as("nothing held goes out before the reopen time").isGreaterThanOrEqualTo(-100);
        assertThat(lastOutAfterReopenMs).as("held writes out at most 2 s after the reopen time")
                .isLessThanOrEqualTo(2_000);
        ids.forEach(id -> run.assertConverged(DemoSystems.APP, id));
        assertThat(run.latestEditWon()).isEqualTo(new ScenarioRun.LatestEditWon(ids.size(), ids.size()));
    }
}
