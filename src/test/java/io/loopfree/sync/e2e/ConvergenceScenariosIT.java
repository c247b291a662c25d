package io.loopfree.sync.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
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
import io.loopfree.sync.support.EmbeddedAws;
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
    static final List<String> TENANTS = List.of("converge");

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
}
