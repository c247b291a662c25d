package io.loopfree.sync.adapters.sqs;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.change.FieldType;
import io.loopfree.sync.ports.DeadLetterQueue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * The dead-letter port over SQS: one SendMessage to {@code sync.dead-letter-queue-url}, the original body unchanged,
 * the failure as message attributes (the console's "Poll for messages" and {@code loopfree-ops dlq show} list them).
 * The SQS client is resolved on the first dead letter only, so the processor's cold start does not build it.
 */
@ApplicationScoped
public class SqsDeadLetterQueue implements DeadLetterQueue {

    /** SQS allows at most 10 message attributes per message. */
    static final int MAX_ATTRIBUTES = 10;

    private final Optional<String> url;
    private final Instance<SqsClient> sqs;

    public SqsDeadLetterQueue(SyncConfig config, Instance<SqsClient> sqs) {
        this.url = config.deadLetterQueueUrl().filter(u -> !u.isBlank());
        this.sqs = sqs;
    }

    @Override
    public boolean configured() {
        return url.isPresent();
    }

    @Override
    public void send(DeadLetter letter) {
        sqs.get().sendMessage(b -> b.queueUrl(url.orElseThrow(() -> new IllegalStateException("no dead-letter queue")))
                .messageBody(letter.body())
                .messageAttributes(attributes(letter)));
    }

    static Map<String, MessageAttributeValue> attributes(DeadLetter letter) {
        Map<String, MessageAttributeValue> attributes = new LinkedHashMap<>();
        put(attributes, "failureCause", letter.cause());
        put(attributes, "failureLayer", letter.layer());
        put(attributes, "failureDetail", letter.detail());
        put(attributes, "eventId", letter.eventId());
        put(attributes, "system", letter.system());
        put(attributes, "tenant", letter.tenant());
        put(attributes, "record", letter.record());
        put(attributes, "receiveCount", letter.receiveCount());
        put(attributes, "firstReceivedAt", iso(letter.firstReceivedAt()));
        put(attributes, "lastReceivedAt", iso(letter.lastReceivedAt()));
        return attributes;
    }

    private static String iso(Instant instant) {
        return instant == null ? null : FieldType.formatInstant(instant);
    }

    private static void put(Map<String, MessageAttributeValue> attributes, String name, String value) {
        if (value != null && !value.isEmpty() && attributes.size() < MAX_ATTRIBUTES) {
            attributes.put(name, MessageAttributeValue.builder().dataType("String").stringValue(value).build());
        }
    }
}
