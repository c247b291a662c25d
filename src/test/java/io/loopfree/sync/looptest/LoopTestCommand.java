package io.loopfree.sync.looptest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

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
 * The loop-test command ({@code bin/loopfree-loop-test}, {@code ./mvnw -Ploop-test}; docs/loop-test.md): the
 * processor started in this JVM on DynamoDB Local + ElasticMQ with the user's profile, mappings and provider
 * behaviour, one check, the report in {@code target/loop-test/report.txt} and the exit code (0 caught, 1 loop, 2 bad
 * input) in {@code target/loop-test/exit-code}. It runs only when given arguments (never in the normal test run,
 * whose name patterns it does not match either); it fails unless the echo was caught.
 */
@QuarkusTest
@TestProfile(LoopTestProfiles.Command.class)
@EnabledIf("given")
class LoopTestCommand extends FunctionTestSupport {

    static final Path OUT = Path.of("target", "loop-test");

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

    static boolean given() {
        return LoopTestArgs.given().isPresent();
    }

    @Test
    void loopTest() {
        LoopTestArgs args = LoopTestArgs.parse(LoopTestArgs.given().orElse(List.of()));
        LoopReport report;
        if (args.problem().isPresent()) {
            report = LoopReport.error("-", args.problem().get());
        } else {
            report = run(args);
        }
        System.out.println(report.text());
        try {
            Files.createDirectories(OUT);
            Files.writeString(OUT.resolve("report.txt"), report.text() + "\n", StandardCharsets.UTF_8);
            Files.writeString(OUT.resolve("exit-code"), Integer.toString(report.exitCode()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(report.exitCode()).as(report.text()).isZero();
    }

    private LoopReport run(LoopTestArgs args) {
        ProviderBehaviour behaviour;
        try {
            behaviour = args.resolveBehaviour();
        } catch (IllegalArgumentException e) {
            return LoopReport.error(args.system().orElse(args.profile()), e.getMessage());
        }
        try (SqsClient sqs = sqs(); DynamoDbClient dynamo = dynamo()) {
            QuarkusPipeline pipeline = new QuarkusPipeline(new QuarkusPipeline.Parts(ingress, reconciler, metrics,
                    outboundProfiles, ingressProfiles, mappings, FunctionTestSupport::invoke, sqs,
                    config("sync.queue-url"), dynamo, SyncResources.STATE_TABLE, clock, relay));
            return new LoopCheck(pipeline).run(behaviour, LoopTestProfiles.tenant(behaviour, ""));
        }
    }
}
