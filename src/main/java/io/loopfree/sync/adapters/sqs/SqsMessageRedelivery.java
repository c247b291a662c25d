package io.loopfree.sync.adapters.sqs;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import io.loopfree.sync.ports.MessageRedelivery;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * ChangeMessageVisibility on the message's receipt: the message becomes visible again after the delay instead of
 * the queue's visibility timeout (Lambda's event source mapping leaves a reported batch item failure to reappear
 * when its visibility ends). The queue's URL comes from the event source's ARN through GetQueueUrl, once per queue
 * and instance. SQS allows at most 12 hours.
 */
@ApplicationScoped
public class SqsMessageRedelivery implements MessageRedelivery {

    private static final Logger LOG = Logger.getLogger(SqsMessageRedelivery.class);
    static final Duration MAX_VISIBILITY = Duration.ofHours(12);

    private final Instance<SqsClient> sqs;
    private final Map<String, String> urls = new ConcurrentHashMap<>();

    public SqsMessageRedelivery(Instance<SqsClient> sqs) {
        this.sqs = sqs;
    }

    @Override
    public void redeliverAfter(String queueArn, String receiptHandle, Duration delay) {
        String name = queueName(queueArn);
        if (name == null || receiptHandle == null || receiptHandle.isBlank()) {
            return;
        }
        int seconds = SqsDelays.seconds(delay, MAX_VISIBILITY);
        try {
            String url = urls.computeIfAbsent(queueArn, arn -> sqs.get().getQueueUrl(b -> b.queueName(name)).queueUrl());
            sqs.get().changeMessageVisibility(b -> b.queueUrl(url).receiptHandle(receiptHandle)
                    .visibilityTimeout(seconds));
        } catch (RuntimeException e) {
            // it comes back after the queue's visibility timeout instead
            LOG.warnf("could not bring the message back in %d s: %s", seconds, e.toString());
        }
    }

    /** The last part of {@code arn:aws:sqs:<region>:<account>:<name>}; null when it is no SQS ARN. */
    public static String queueName(String queueArn) {
        if (queueArn == null || !queueArn.startsWith("arn:")) {
            return null;
        }
        String[] parts = queueArn.split(":", 6);
        return parts.length == 6 && "sqs".equals(parts[2]) && !parts[5].isBlank() ? parts[5] : null;
    }
}
