package io.loopfree.sync.adapters.sqs;

import java.nio.charset.StandardCharsets;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Timeout;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.ports.EnvelopeQueue;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * Sends envelopes to SQS. Retries are the SDK's own (bounded by {@code quarkus.sqs.api-call-timeout}); this
 * method adds only an overall deadline under the tightest provider's (Slack: 3 s) and a breaker that answers
 * at once while SQS is down, so providers get their 503 fast and redeliver.
 */
@ApplicationScoped
public class SqsEnvelopeQueue implements EnvelopeQueue {

    private final SqsClient sqs;
    private final String queueUrl;
    private final int maxMessageBytes;

    public SqsEnvelopeQueue(SqsClient sqs, SyncConfig config) {
        this.sqs = sqs;
        this.queueUrl = config.queueUrl().filter(url -> !url.isBlank())
                .orElseThrow(() -> new IllegalStateException("sync.queue-url (SYNC_QUEUE_URL) is not set"));
        this.maxMessageBytes = config.ingress().maxMessageBytes();
    }

    @Override
    @Timeout(value = 2500, unit = ChronoUnit.MILLIS)
    @CircuitBreaker(requestVolumeThreshold = 4, failureRatio = 0.75, delay = 5, delayUnit = ChronoUnit.SECONDS,
            skipOn = EnvelopeTooLargeException.class)
    public void send(Envelope envelope) {
        String body = EnvelopeCodec.encode(envelope);
        int size = body.getBytes(StandardCharsets.UTF_8).length;
        if (size > maxMessageBytes) {
            throw new EnvelopeTooLargeException(
                    "envelope of " + size + " bytes exceeds the " + maxMessageBytes + "-byte queue message limit");
        }
        try {
            sqs.sendMessage(b -> b.queueUrl(queueUrl)
                    .messageBody(body)
                    .messageAttributes(Map.of(
                            "system", text(envelope.system()),
                            "tenant", text(envelope.tenant()),
                            "eventId", text(envelope.eventId()))));
        } catch (SdkException e) {
            throw new QueueUnavailableException("SQS did not accept the envelope: " + e.getMessage(), e);
        }
    }

    private static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }
}
