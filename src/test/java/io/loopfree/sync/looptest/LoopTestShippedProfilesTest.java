package io.loopfree.sync.looptest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
                    config("sync.queue-url"), dynamo, SyncResources.STATE_TABLE, clock));
            LoopReport report = new LoopCheck(pipeline).run(behaviour, tenant);
            System.out.println(report.text());
            return report;
        }
    }

    @ParameterizedTest(name = "{0}: caught by {1}")
    @CsvSource({
        "sandbox, marker",
        "app, change-agent",
        "hubspot-contacts, actor",
        "salesforce-contacts, marker",
        "stripe-customers, marker",
    })
    void everyShippedProfilesEchoIsCaughtAndNothingGoesBack(String profile, String layer) {
        ProviderBehaviour behaviour = ProviderBehaviour.shipped(profile).orElseThrow();
        LoopReport report = check(behaviour, LoopTestProfiles.tenant(behaviour, ""));
        assertThat(report.exitCode()).as(report.text()).isZero();
        assertThat(report.verdict()).isEqualTo(LoopReport.Verdict.CAUGHT);
        assertThat(report.layer()).as(report.text()).contains(layer);
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
        ProviderBehaviour stripe = ProviderBehaviour.shipped("stripe-customers").orElseThrow();
        ProviderBehaviour smartsheet = ProviderBehaviour.parse(io.loopfree.sync.looptest.Json.tree(Map.of(
                "profile", "smartsheet-rows", "system", "smartsheet", "webhook", Map.of("body", "$"))), "test");
        LoopReport report = check(smartsheet, LoopTestProfiles.tenant(stripe, "-2"));
        assertThat(report.exitCode()).isEqualTo(2);
        assertThat(report.text()).contains("mapping 'smartsheet' has no resources.contact");
    }
}
