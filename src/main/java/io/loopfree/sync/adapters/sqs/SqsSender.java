package io.loopfree.sync.adapters.sqs;

import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.jboss.logging.Logger;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.ports.EnvelopeQueue.EnvelopeRejectedException;
import io.loopfree.sync.ports.EnvelopeQueue.EnvelopeTooLargeException;
import io.loopfree.sync.ports.EnvelopeQueue.QueueUnavailableException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * The SQS half of {@link SqsEnvelopeQueue}, guarded by MicroProfile Fault Tolerance (whose exceptions the queue
 * adapter translates into the port's). Sends envelopes to SQS: one {@code SendMessage} for a single event, {@code SendMessageBatch} (10 entries or the
 * batch byte limit per request) for a split delivery. A partial batch failure is retried for the failed entries
 * only, a bounded number of times. Retries of whole requests are the SDK's own (bounded by
 * {@code quarkus.sqs.api-call-timeout}); this class adds an overall deadline under the tightest provider's
 * (Slack: 3 s) and a breaker that answers at once while SQS is down, so providers get their 503 fast and redeliver.
 */
@ApplicationScoped
public class SqsSender {

    private static final Logger LOG = Logger.getLogger(SqsSender.class);
    /**
     * Error codes by which SQS refuses a message's content (sender fault): sending it again cannot succeed, and the
     * queue is not unavailable. Anything else (throttling, a missing queue, auth) is the queue's side.
     */
    private static final Set<String> CONTENT_ERRORS = Set.of("InvalidMessageContents",
            "AWS.SimpleQueueService.InvalidMessageContents", "InvalidParameterValue", "InvalidParameterValueException",
            "InvalidAttributeValue", "InvalidAttributeName", "MessageTooLong", "InvalidMessageContentsException");
    static final int MAX_BATCH_ENTRIES = 10;
    private static final long RETRY_PAUSE_MILLIS = 50;

    private final SqsClient sqs;
    private final String queueUrl;
    private final int maxMessageBytes;
    private final int maxBatchBytes;
    private final int sendAttempts;

    public SqsSender(SqsClient sqs, SyncConfig config) {
        this.sqs = sqs;
        this.queueUrl = config.queueUrl().filter(url -> !url.isBlank())
                .orElseThrow(() -> new IllegalStateException("sync.queue-url (SYNC_QUEUE_URL) is not set"));
        this.maxMessageBytes = config.ingress().maxMessageBytes();
        this.maxBatchBytes = Math.max(config.ingress().maxBatchBytes(), maxMessageBytes);
        this.sendAttempts = Math.max(1, config.ingress().sendAttempts());
    }

    /**
     * Client errors (too large, refused content) are the delivery's fault: they are thrown as they are and never
     * count as failures of the queue, so one bad sender cannot open the breaker for everyone.
     */
    @Timeout(value = 2500, unit = ChronoUnit.MILLIS)
    @CircuitBreaker(requestVolumeThreshold = 4, failureRatio = 0.75, delay = 5, delayUnit = ChronoUnit.SECONDS,
            skipOn = { EnvelopeTooLargeException.class, EnvelopeRejectedException.class })
    public void sendAll(List<Envelope> envelopes) {
        List<Message> messages = new ArrayList<>(envelopes.size());
        for (Envelope envelope : envelopes) { // every size is checked before anything is sent
            // SQS counts message attributes in the message size
            int attributeBytes = attributeBytes(envelope);
            String body = SqsMessageBodies.encodeWithin(envelope, maxMessageBytes, attributeBytes);
            messages.add(new Message(envelope, body, SqsMessageBodies.utf8Length(body) + attributeBytes));
        }
        if (messages.isEmpty()) {
            return;
        }
        if (messages.size() == 1) {
            sendOne(messages.get(0));
            return;
        }
        int stored = 0;
        for (List<Message> batch : batches(messages)) {
            List<Message> failed = sendBatch(batch);
            if (!failed.isEmpty() && failed.stream().allMatch(m -> m.contentError)) {
                throw new EnvelopeRejectedException(failed.size() + " of " + messages.size()
                        + " events were refused by the queue (" + failed.get(0).error + ")");
            }
            if (!failed.isEmpty()) {
                int notStored = messages.size() - stored - (batch.size() - failed.size());
                throw new QueueUnavailableException(notStored + " of " + messages.size() + " events were not stored (SQS failed entries: " + failed.get(0).error + ")",
                        null);
            }
            stored += batch.size();
        }
    }

    private void sendOne(Message message) {
        try {
            sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(message.body)
                    .messageAttributes(attributes(message.envelope)));
        } catch (AwsServiceException e) {
            if (isContentError(e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode())) {
                throw new EnvelopeRejectedException("SQS refused the envelope: " + e.awsErrorDetails().errorCode());
            }
            throw new QueueUnavailableException("SQS did not accept the envelope: " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new QueueUnavailableException("SQS did not accept the envelope: " + e.getMessage(), e);
        }
    }

    private static boolean isContentError(String code) {
        return code != null && CONTENT_ERRORS.contains(code);
    }

    /** @return the entries still failed after the bounded retries (empty when all were stored) */
    private List<Message> sendBatch(List<Message> batch) {
        Map<String, Message> pending = new LinkedHashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            pending.put("e" + i, batch.get(i));
        }
        for (int attempt = 1; attempt <= sendAttempts && !pending.isEmpty(); attempt++) {
            if (attempt > 1) {
                pause(attempt);
            }
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>(pending.size());
            pending.forEach((id, message) -> entries.add(SendMessageBatchRequestEntry.builder().id(id)
                    .messageBody(message.body).messageAttributes(attributes(message.envelope)).build()));
            SendMessageBatchResponse response;
            try {
                response = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
            } catch (SdkException e) {
                throw new QueueUnavailableException("SQS did not accept the batch: " + e.getMessage(), e);
            }
            response.successful().forEach(ok -> pending.remove(ok.id()));
            boolean retryable = false;
            for (BatchResultErrorEntry error : response.failed()) {
                Message message = pending.get(error.id());
                if (message != null) {
                    message.error = error.code() + (Boolean.TRUE.equals(error.senderFault()) ? " (sender fault)" : "");
                    message.contentError = Boolean.TRUE.equals(error.senderFault()) && isContentError(error.code());
                    retryable |= !Boolean.TRUE.equals(error.senderFault());
                }
            }
            if (!pending.isEmpty()) {
                LOG.warnf("SQS batch attempt %d of %d: %d entries failed (%s)", attempt, sendAttempts, pending.size(),
                        pending.values().iterator().next().error);
            }
            if (!retryable) {
                break; // a sender fault fails the same way again: answer now
            }
        }
        return new ArrayList<>(pending.values());
    }

    /** Up to 10 entries and at most {@code maxBatchBytes} of message bodies per request. */
    private List<List<Message>> batches(List<Message> messages) {
        List<List<Message>> batches = new ArrayList<>();
        List<Message> current = new ArrayList<>();
        int currentBytes = 0;
        for (Message message : messages) {
            if (!current.isEmpty() && (current.size() == MAX_BATCH_ENTRIES || currentBytes + message.size > maxBatchBytes)) {
                batches.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(message);
            currentBytes += message.size;
        }
        batches.add(current);
        return batches;
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(RETRY_PAUSE_MILLIS * (attempt - 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QueueUnavailableException("interrupted while retrying failed batch entries", e);
        }
    }

    private static Map<String, MessageAttributeValue> attributes(Envelope envelope) {
        return Map.of("system", text(envelope.system()), "tenant", text(envelope.tenant()),
                "eventId", text(envelope.eventId()));
    }

    private static int attributeBytes(Envelope envelope) {
        int bytes = 0;
        for (Map.Entry<String, MessageAttributeValue> attribute : attributes(envelope).entrySet()) {
            bytes += SqsMessageBodies.utf8Length(attribute.getKey())
                    + SqsMessageBodies.utf8Length(attribute.getValue().dataType())
                    + SqsMessageBodies.utf8Length(attribute.getValue().stringValue());
        }
        return bytes;
    }

    private static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }

    private static final class Message {
        final Envelope envelope;
        final String body;
        final int size;
        String error = "";
        boolean contentError;

        Message(Envelope envelope, String body, int size) {
            this.envelope = envelope;
            this.body = body;
            this.size = size;
        }
    }
}
