package io.loopfree.sync.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.loopfree.sync.local.DemoSystems;
import io.loopfree.sync.local.LocalEngine;
import io.loopfree.sync.ops.LoopfreeOps;
import io.loopfree.sync.support.AwsBackend;
import io.loopfree.sync.support.EmbeddedAws;
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
    static final List<String> TENANTS = List.of("converge", "conflicts");

    static LocalEngine engine;
    static SqsClient sqs;

    @BeforeAll
    static void start() {
        Path functionZip = Path.of(System.getProperty("function.zip", "target/function.zip"));
        Map<String, String> environment = new LinkedHashMap<>();
        TENANTS.forEach(tenant -> environment.putAll(DemoSystems.environment(tenant)));
        // as SyncScenariosIT: two instances per function, a 2 s visibility so that a delivery that met another
        // instance's claim is retried in seconds, 10 receives before the DLQ on a loaded machine
        engine = LocalEngine.start(new LocalEngine.Settings(functionZip, 0, EmbeddedAws.freePort(),
                EmbeddedAws.freePort(), Duration.ZERO, Duration.ofSeconds(2), 10,
                new PrintStream(OutputStream.nullOutputStream()), 2, LocalEngine.PROCESSOR_TIMEOUT)
                .withFunctionEnvironment(environment));
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
        System.out.println(run.figures(4));
    }
}
