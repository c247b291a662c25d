package io.loopfree.sync.looptest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.loopfree.sync.app.IngressService;
import io.loopfree.sync.app.ProcessingMetrics;
import io.loopfree.sync.app.ReconcilerService;
import io.loopfree.sync.ports.MappingRepository;
import io.loopfree.sync.ports.OutboundProfileRepository;
import io.loopfree.sync.ports.ProfileRepository;
import io.loopfree.sync.support.FunctionTestSupport;
import io.loopfree.sync.support.SyncResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The loop test (docs/loop-test.md) over every shipped outbound profile, as CI runs it: each provider's echo must
 * be dropped by the layer its behaviour allows, with nothing written back; a deliberately broken provider must be
 * reported as a loop; bad input must be reported, not thrown.
 */
@QuarkusTest
@TestProfile(LoopTestProfiles.Shipped.class)
class LoopTestShippedProfilesTest extends FunctionTestSupport {

    @Inject
    IngressService ingress;
    @Inject
    io.loopfree.sync.app.EventRelayService relay;
    @Inject
    ReconcilerService reconciler;
    @Inject
    ProcessingMetrics metrics;
    @Inject
    OutboundProfileRepository outboundProfiles;
    @Inject
    ProfileRepository ingressProfiles;
    @Inject
    MappingRepository mappings;
    @Inject
    java.time.Clock clock;

    static ProviderBehaviour broken() {
        return ProviderBehaviour.read(Path.of("src/test/resources/loop-test/broken/app-no-layer.json"));
    }

    private LoopReport check(ProviderBehaviour behaviour, String tenant) {
        try (SqsClient sqs = sqs(); DynamoDbClient dynamo = dynamo()) {
            QuarkusPipeline pipeline = new QuarkusPipeline(new QuarkusPipeline.Parts(ingress, reconciler, metrics,
                    outboundProfiles, ingressProfiles, mappings, FunctionTestSupport::invoke, sqs,
                    config("sync.queue-url"), dynamo, SyncResources.STATE_TABLE, clock, relay));
            LoopReport report = new LoopCheck(pipeline).run(behaviour, tenant);
            System.out.println(report.text());
            return report;
        }
    }

    /** The layer each shipped profile's echo must die at; a profile missing here fails the test. */
    private static final Map<String, String> EXPECTED = Map.of(
            "sandbox", "marker",            // skinny, no actor, tag stripped, normalized: only the marker knows
            "sandbox-conditional", "marker", // the same, its updates conditional (If-Match)
            "sandbox-guard-read", "marker", // the same, a guard read before each update
            "app", "change-agent",          // the app contract echoes X-Change-Agent
            "hubspot-contacts", "actor",    // sourceId = our app id
            "salesforce-contacts", "change-agent", // relayed CDC: changeOrigin carries our client=<change agent>
            "stripe-customers", "change-agent"); // our Idempotency-Key, echoed in the Event's request
    /** Shipped profiles that cannot be checked yet, with the reason the report must give. */
    private static final Map<String, String> NOT_CHECKABLE = Map.of(
            "smartsheet-rows", "mapping 'smartsheet' has no resources.contact");

    static Stream<String> shippedOutboundProfiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/outbound"))) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - ".json".length())).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shippedOutboundProfiles")
    void everyShippedProfilesEchoIsCaughtAndNothingGoesBack(String profile) {
        ProviderBehaviour behaviour = ProviderBehaviour.shipped(profile)
                .orElseThrow(() -> new AssertionError("no loop-test behaviour shipped for outbound profile " + profile
                        + ": add src/test/resources/loop-test/behaviours/" + profile + ".json"));
        LoopReport report = check(behaviour, LoopTestProfiles.tenant(behaviour, ""));
        if (NOT_CHECKABLE.containsKey(profile)) {
            assertThat(report.exitCode()).as(report.text()).isEqualTo(2);
            assertThat(report.text()).contains(NOT_CHECKABLE.get(profile));
            return;
        }
        assertThat(EXPECTED).as("expected layer for " + profile).containsKey(profile);
        assertThat(report.exitCode()).as(report.text()).isZero();
        assertThat(report.verdict()).isEqualTo(LoopReport.Verdict.CAUGHT);
        assertThat(report.layer()).as(report.text()).contains(EXPECTED.get(profile));
        if (profile.equals("salesforce-contacts")) {
            assertThat(report.text()).as("through the real-time path").contains("via the EventBridge relay, in real time");
        }
        assertThat(report.text()).contains("back to " + LoopCheck.ORIGIN + ": 0");
    }

    @Test
    void aProviderNoLayerCanRecogniseIsReportedAsALoop() {
        ProviderBehaviour behaviour = broken();
        LoopReport report = check(behaviour, LoopTestProfiles.tenant(behaviour, "-broken"));
        assertThat(report.verdict()).as(report.text()).isEqualTo(LoopReport.Verdict.LOOP);
        assertThat(report.exitCode()).isEqualTo(1);
        assertThat(report.text()).contains("no layer caught app's echo");
    }

    @Test
    void aMissingProfileIsBadInput() {
        ProviderBehaviour behaviour = ProviderBehaviour.shipped("app").orElseThrow().withProfile("no-such-profile");
        LoopReport report = check(behaviour, LoopTestProfiles.tenant(behaviour, ""));
        assertThat(report.exitCode()).isEqualTo(2);
        assertThat(report.text()).contains("no outbound profile 'no-such-profile'");
    }

    @Test
    void aMappingTheFanOutCannotWriteWithIsBadInput() {
        ProviderBehaviour jira = ProviderBehaviour.parse(Json.tree(Map.of(
                "profile", "app", "system", "jira", "webhook", Map.of("body", "$"))), "test");
        LoopReport report = check(jira, LoopTestProfiles.tenant(jira, "-2"));
        assertThat(report.exitCode()).isEqualTo(2);
        assertThat(report.text()).contains("mapping 'jira' has no resources.contact");
    }

    @Test
    void anInvalidMappingIsBadInputNamingTheProblem() {
        ProviderBehaviour broken = ProviderBehaviour.parse(Json.tree(Map.of(
                "profile", "app", "system", "broken-crm", "webhook", Map.of("body", "$"))), "test");
        LoopReport report = check(broken, LoopTestProfiles.tenant(broken, "-2"));
        assertThat(report.exitCode()).as(report.text()).isEqualTo(2);
        assertThat(report.text()).contains("mapping 'broken-crm' is not valid");
    }
}
