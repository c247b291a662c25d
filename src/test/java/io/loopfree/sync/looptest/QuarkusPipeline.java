package io.loopfree.sync.looptest;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.function.Function;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.loopfree.sync.adapters.dynamodb.ConnectionSeeds;
import io.loopfree.sync.app.IngressResult;
import io.loopfree.sync.app.IngressService;
import io.loopfree.sync.app.Outcome;
import io.loopfree.sync.app.ProcessingMetrics;
import io.loopfree.sync.app.ReconcilerService;
import io.loopfree.sync.domain.change.ChangeMapping;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.domain.envelope.EnvelopeCodec;
import io.loopfree.sync.domain.outbound.OutboundProfile;
import io.loopfree.sync.domain.reconcile.ReconcileJob;
import io.loopfree.sync.domain.webhook.ProviderProfile;
import io.loopfree.sync.domain.webhook.WebhookRequest;
import io.loopfree.sync.ports.MappingRepository;
import io.loopfree.sync.ports.OutboundProfileRepository;
import io.loopfree.sync.ports.ProfileRepository;
import io.restassured.path.json.JsonPath;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The engine in this JVM, as the tests run it: the ingress service enqueueing on ElasticMQ, the processor function
 * invoked through Quarkus' mock Lambda event server one SQS event per message, the reconciler service, connections
 * in DynamoDB Local. The outcome of each message is read from the processor's outcome counters (one message at a
 * time, so the counter that moved is its outcome).
 */
public final class QuarkusPipeline implements Pipeline {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The application's beans and the backend's clients the pipeline drives. */
    public record Parts(IngressService ingress, ReconcilerService reconciler, ProcessingMetrics metrics,
            OutboundProfileRepository outboundProfiles, ProfileRepository ingressProfiles, MappingRepository mappings,
            Function<String, JsonPath> invokeProcessor, SqsClient sqs, String queueUrl, DynamoDbClient dynamo,
            String stateTable, java.time.Clock clock, io.loopfree.sync.app.EventRelayService relay) {
    }

    private final Parts parts;

    public QuarkusPipeline(Parts parts) {
        this.parts = parts;
    }

    @Override
    public java.time.Instant now() {
        return parts.clock().instant();
    }

    @Override
    public IngressResult ingress(String system, String tenant, WebhookRequest request) {
        return parts.ingress().handle(system, tenant, request);
    }

    @Override
    public List<Processed> processQueued() {
        List<Processed> processed = new ArrayList<>();
        while (true) {
            List<Message> batch = parts.sqs().receiveMessage(b -> b.queueUrl(parts.queueUrl()).maxNumberOfMessages(10)
                    .waitTimeSeconds(0).attributeNamesWithStrings("All")).messages();
            if (batch.isEmpty()) {
                return processed;
            }
            for (Message message : batch) {
                processed.add(process(message));
                parts.sqs().deleteMessage(d -> d.queueUrl(parts.queueUrl()).receiptHandle(message.receiptHandle()));
            }
        }
    }

    private Processed process(Message message) {
        Envelope envelope = EnvelopeCodec.decode(message.body());
        Map<String, Long> before = parts.metrics().snapshot();
        JsonPath answer = parts.invokeProcessor().apply(sqsEvent(message));
        Map<String, Long> after = parts.metrics().snapshot();
        String label = after.entrySet().stream()
                .filter(e -> e.getValue() > before.getOrDefault(e.getKey(), 0L)).map(Map.Entry::getKey)
                .findFirst().orElse(answer.getList("batchItemFailures").isEmpty() ? "unknown" : "failed:batch-item-failure");
        return new Processed(envelope.system(), envelope.eventId(), label, layer(label));
    }

    static String layer(String label) {
        if (label.equals("applied")) {
            return new Outcome.Applied().layer();
        }
        if (label.startsWith("dropped:")) {
            return new Outcome.Dropped(label.substring("dropped:".length())).layer();
        }
        if (label.startsWith("failed:")) {
            return new Outcome.Failed(label.substring("failed:".length())).layer();
        }
        return "unknown";
    }

    private static String sqsEvent(Message message) {
        ObjectNode event = JSON.createObjectNode();
        ObjectNode record = event.putArray("Records").addObject();
        record.put("messageId", message.messageId());
        record.put("receiptHandle", "rh-" + UUID.randomUUID());
        record.put("body", message.body());
        record.putObject("attributes").put("ApproximateReceiveCount", "1");
        record.putObject("messageAttributes");
        record.put("eventSource", "aws:sqs");
        record.put("eventSourceARN", "arn:aws:sqs:us-east-1:000000000000:loopfree-changes");
        record.put("awsRegion", "us-east-1");
        return event.toString();
    }

    @Override
    public String relay(String event) {
        try {
            return parts.relay().relay(JSON.readTree(event)).outcome();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("the relayed event is not JSON", e);
        }
    }

    @Override
    public void reconcile(ReconcileJob job) {
        parts.reconciler().run(new ReconcilerService.RunRequest(Optional.of(job.tenant()), Optional.of(job), true,
                OptionalInt.empty()));
    }

    @Override
    public void seedConnection(String json) {
        ConnectionSeeds.seed(parts.dynamo(), parts.stateTable(),
                new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public Optional<OutboundProfile> outboundProfile(String name) {
        return parts.outboundProfiles().find(name);
    }

    @Override
    public Optional<ProviderProfile> ingressProfile(String system) {
        return parts.ingressProfiles().find(system);
    }

    @Override
    public Optional<ChangeMapping> mapping(String system) {
        return parts.mappings().find(system);
    }
}
