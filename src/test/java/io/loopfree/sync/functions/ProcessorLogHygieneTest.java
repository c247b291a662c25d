package io.loopfree.sync.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.support.Fixtures;
import io.loopfree.sync.support.FunctionTestSupport;
import io.loopfree.sync.support.LogCapture;
import io.loopfree.sync.support.SyncResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Every recorded processor batch, then a fan-out through three live sandboxes (outbound calls with the engine's
 * bearer token, their webhooks back): no log line at INFO or above contains a secret, the engine's token, an
 * Authorization value or a whole provider payload; and the lines carry the structured fields.
 */
@QuarkusTest
@TestProfile(FanOutTest.ThreeSystems.class)
class ProcessorLogHygieneTest extends FunctionTestSupport {

    @Test
    void noSecretTokenOrWholePayloadIsLoggedForRecordedBatchesAndAFanOut() throws Exception {
        List<String> names;
        try (Stream<Path> files = Files.list(Path.of("functions", "processor", "events"))) {
            names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList();
        }
        try (LogCapture logs = LogCapture.start()) {
            for (String name : names) {
                invoke(Fixtures.event("processor", name));
            }
            try (SandboxWorld world = new SandboxWorld("fan20"); DynamoDbClient dynamo = dynamo()) {
                world.seedConnection(dynamo, SyncResources.STATE_TABLE, c -> c);
                world.app.humanCreate("contact", Map.of("email", "ada@example.com", "name", "Ada Lovelace"));
                world.pump(FunctionTestSupport::invoke);
            }
            Map<String, String> forbidden = new java.util.LinkedHashMap<>(LogCapture.knownSecrets());
            forbidden.put(SandboxWorld.ENGINE_TOKEN, "the engine's outbound token");
            forbidden.put("Bearer ", "an Authorization value");
            forbidden.putAll(LogCapture.envelopeBodies());
            logs.assertNoneContains(forbidden);

            assertThat(logs.lines()).as("the outbound calls are logged with their structured fields")
                    .anyMatch(l -> l.contains("outbound system=") && l.contains("targetSystem=")
                            && l.contains("account=") && l.contains("outboundLatencyMs="));
            assertThat(logs.lines()).as("each outcome line carries its structured fields")
                    .anyMatch(l -> l.contains("outcome=applied") && l.contains("layer=apply")
                            && l.contains("correlationId=") && l.contains("latencyMs="));
        }
    }
}
