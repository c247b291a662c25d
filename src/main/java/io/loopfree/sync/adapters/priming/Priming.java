package io.loopfree.sync.adapters.priming;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.change.ChangeMapping;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.domain.envelope.EnvelopeCodec;
import io.loopfree.sync.domain.webhook.Json;
import io.loopfree.sync.domain.webhook.ProviderProfile;
import io.loopfree.sync.domain.webhook.SignatureSchemes;
import io.loopfree.sync.domain.webhook.StandardWebhooksScheme;
import io.loopfree.sync.domain.webhook.WebhookRequest;
import io.loopfree.sync.ports.MappingRepository;
import io.loopfree.sync.ports.ProfileRepository;
import io.quarkus.runtime.StartupEvent;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Warms the exported function while it initializes (Lambda's init phase, before the first invocation, and the
 * phase SnapStart snapshots): one harmless call with the function's AWS client (its HTTP stack, signing,
 * marshalling), and one pass over its JSON paths: the ingress loads the {@code app} profile and verifies a sample
 * Standard Webhooks signature; the processor decodes a sample envelope and runs the {@code app} JSONata mapping.
 * Without it the first webhook of each instance paid several seconds on a loaded machine and could time out (503).
 * Failures are logged and ignored: priming must never stop a function from starting.
 */
@ApplicationScoped
public class Priming {

    private static final Logger LOG = Logger.getLogger(Priming.class);
    private static final String SAMPLE_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"; // the spec's example
    private static final String SAMPLE_BODY = "{\"type\":\"contact.updated\",\"timestamp\":\"2026-01-01T00:00:00Z\","
            + "\"data\":{\"id\":\"c_prime\",\"email\":\"prime@example.com\",\"name\":\"Prime\"}}";

    private final SyncConfig config;
    private final String export;
    private final Instance<SqsClient> sqs;
    private final Instance<DynamoDbClient> dynamo;
    private final Instance<ProfileRepository> profiles;
    private final Instance<MappingRepository> mappings;

    public Priming(SyncConfig config, @ConfigProperty(name = "quarkus.funqy.export") String export,
            Instance<SqsClient> sqs, Instance<DynamoDbClient> dynamo, Instance<ProfileRepository> profiles,
            Instance<MappingRepository> mappings) {
        this.config = config;
        this.export = export;
        this.sqs = sqs;
        this.dynamo = dynamo;
        this.profiles = profiles;
        this.mappings = mappings;
    }

    void onStart(@Observes StartupEvent started) {
        if (config.priming().enabled()) {
            prime();
        }
    }

    /** Runs the export's priming; every step on its own, failures logged. */
    public void prime() {
        long start = System.nanoTime();
        switch (export) {
            case "ingress" -> {
                step("JSON and signature paths", this::primeIngressPaths);
                config.queueUrl().filter(url -> !url.isBlank()).ifPresent(url -> step("SQS client",
                        () -> sqs.get().getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))));
            }
            case "processor" -> {
                step("envelope and JSONata paths", this::primeProcessorPaths);
                step("DynamoDB client", () -> dynamo.get().batchGetItem(b -> b.requestItems(Map.of(config.tables().events(),
                        software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes.builder().keys(
                                Map.of("pk", AttributeValue.fromS("PRIME#" + Instant.now()))).build()))));
            }
            case "relay" -> config.queueUrl().filter(url -> !url.isBlank()).ifPresent(url -> step("SQS client",
                    () -> sqs.get().getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))));
            case "reconciler" -> step("DynamoDB client", () -> dynamo.get().getItem(b -> b.tableName(config.tables().state())
                    .key(Map.of("pk", AttributeValue.fromS("PRIME"), "sk", AttributeValue.fromS("PRIME")))));
            default -> {
                return;
            }
        }
        LOG.infof("primed the %s function in %d ms", export, (System.nanoTime() - start) / 1_000_000);
    }

    private void primeIngressPaths() {
        ProviderProfile profile = profiles.get().find("app").orElseThrow();
        byte[] body = SAMPLE_BODY.getBytes(StandardCharsets.UTF_8);
        long now = Instant.now().getEpochSecond();
        WebhookRequest request = new WebhookRequest("POST", "/webhooks/app/prime", Map.of(
                "webhook-id", "msg_prime", "webhook-timestamp", Long.toString(now),
                "webhook-signature", StandardWebhooksScheme.sign(SAMPLE_SECRET, "msg_prime", now, body)), body);
        SignatureSchemes.forProfile(profile, java.util.Optional.empty()).verify(request, List.of(SAMPLE_SECRET), Instant.now());
        Json.read(body);
        EnvelopeCodec.encode(Envelope.of("app", "prime", "msg_prime", Instant.now(), Map.of(), body));
    }

    private void primeProcessorPaths() {
        Envelope envelope = EnvelopeCodec.decode(EnvelopeCodec.encode(Envelope.of("app", "prime", "msg_prime",
                Instant.now(), Map.of("webhook-id", "msg_prime"), SAMPLE_BODY.getBytes(StandardCharsets.UTF_8))));
        ChangeMapping mapping = mappings.get().find("app").orElseThrow();
        mapping.normalize(envelope);
    }

    private static void step(String what, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.infof("priming %s did not complete (ignored): %s", what, e.getClass().getSimpleName());
        }
    }
}
