package io.loopfree.sync.adapters.sqs;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.domain.envelope.EnvelopeCodec;
import io.loopfree.sync.domain.valve.DrainRequest;
import io.loopfree.sync.ports.DrainScheduler;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * The drain requests as delayed messages on {@code sync.valves.drain-queue-url}: one SendMessage with
 * {@code DelaySeconds} up to SQS's 15 minutes (rounded up to the second, so it never arrives before it is due); a
 * longer wait arrives early and is sent again by the processor. Without a URL nothing is sent. The SQS client is
 * resolved on the first request only, so the processor's cold start does not build it.
 */
@ApplicationScoped
public class SqsDrainScheduler implements DrainScheduler {

    private static final Logger LOG = Logger.getLogger(SqsDrainScheduler.class);
    /** SQS's longest message delay. */
    static final Duration MAX_DELAY = Duration.ofMinutes(15);

    private final Optional<String> url;
    private final Instance<SqsClient> sqs;

    public SqsDrainScheduler(SyncConfig config, Instance<SqsClient> sqs) {
        this.url = config.valves().drainQueueUrl().filter(u -> !u.isBlank());
        this.sqs = sqs;
    }

    @Override
    public void schedule(DrainRequest request, Instant now) {
        if (url.isEmpty()) {
            return;
        }
        int delay = SqsDelays.seconds(request.remaining(now), MAX_DELAY);
        Envelope envelope = request.envelope(now);
        try {
            sqs.get().sendMessage(b -> b.queueUrl(url.get()).delaySeconds(delay)
                    .messageBody(EnvelopeCodec.encode(envelope))
                    .messageAttributes(Map.of("system", text(envelope.system()), "tenant", text(envelope.tenant()),
                            "eventId", text(envelope.eventId()))));
            LOG.infof("account=%s drain requested at %s (in %d s)", request.account().label(), request.dueAt(), delay);
        } catch (RuntimeException e) {
            // the account's next message, or the reconciler's next run, drains it instead
            LOG.warnf("could not request the drain of account=%s at %s: %s", request.account().label(),
                    request.dueAt(), e.toString());
        }
    }

    private static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }
}
