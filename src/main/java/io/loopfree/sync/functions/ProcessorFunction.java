package io.loopfree.sync.functions;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;

import io.loopfree.sync.app.DeadLetters;
import io.loopfree.sync.app.Outcome;
import io.loopfree.sync.app.ProcessingException;
import io.loopfree.sync.app.ProcessingMetrics;
import io.loopfree.sync.app.ProcessorService;
import io.loopfree.sync.app.Redelivery;
import io.loopfree.sync.domain.change.ChangeTooLargeException;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.domain.envelope.EnvelopeCodec;
import io.loopfree.sync.domain.text.Untrusted;
import io.loopfree.sync.ports.DeadLetterQueue.DeadLetter;
import io.quarkus.funqy.Funq;

/**
 * Lambda entry for {@code QUARKUS_FUNQY_EXPORT=processor}. Funqy hands over each record of the SQS batch on its
 * own; a record that throws becomes a batch item failure, so one poison message never fails its batch.
 * Every record writes exactly one {@code processed ... outcome=...} line; every value in it that came from a
 * request (event id, system, tenant, record, cause) is escaped and bounded. The same values are put in the MDC
 * ({@code eventId}, {@code correlationId}, {@code system}, {@code tenant}, {@code resource}, {@code record},
 * {@code layer}, {@code outcome}, {@code latencyMs}), which the JSON log lines ({@code sync.log.json}) carry as
 * fields. A deterministic failure goes to the dead-letter queue at once ({@link DeadLetters}) and is acknowledged; a
 * failure that says when a retry can succeed brings its message back then ({@link Redelivery}).
 */
public class ProcessorFunction {

    private static final Logger LOG = Logger.getLogger(ProcessorFunction.class);
    private static final String LINE =
            "processed messageId=%s eventId=%s system=%s tenant=%s record=%s receiveCount=%s outcome=%s";
    /** A change too large to keep: dropped, never retried (see {@link ChangeTooLargeException}). */
    public static final Outcome OVERSIZE = new Outcome.Dropped("oversize");
    /** The MDC keys this function sets (and clears after each message). */
    static final String[] MDC_KEYS = { "messageId", "eventId", "correlationId", "system", "tenant", "resource",
        "record", "layer", "outcome", "latencyMs", "receiveCount", "deadLettered" };

    @Inject
    ProcessorService processor;

    @Inject
    ProcessingMetrics metrics;

    @Inject
    DeadLetters deadLetters;

    @Inject
    Redelivery redelivery;

    @Inject
    Clock clock;

    @Funq("processor")
    public void processor(SQSMessage message) {
        Instant started = clock.instant();
        String receiveCount = Untrusted.text(receiveCount(message), 10);
        String messageId = Untrusted.text(message.getMessageId(), 80);
        MDC.put("messageId", messageId);
        MDC.put("receiveCount", receiveCount);
        try {
            handle(message, messageId, receiveCount, started);
        } finally {
            for (String key : MDC_KEYS) {
                MDC.remove(key);
            }
        }
    }

    private void handle(SQSMessage message, String messageId, String receiveCount, Instant started) {
        Envelope envelope;
        try {
            envelope = EnvelopeCodec.decode(message.getBody());
        } catch (EnvelopeCodec.MalformedEnvelopeException e) {
            Outcome.Failed failed = new Outcome.Failed("malformed-envelope");
            metrics.record(failed, "-");
            String detail = Untrusted.text(e.getMessage(), 300);
            boolean deadLettered = deadLetter(message, failed, detail, attribute(message, "eventId"),
                    attribute(message, "system"), attribute(message, "tenant"), "-", receiveCount);
            fields(failed, "-", started);
            LOG.errorf("processed messageId=%s receiveCount=%s outcome=%s cause=\"%s\"%s", messageId, receiveCount,
                    failed.label(), detail, deadLettered ? " deadLettered=true" : "");
            if (!deadLettered) {
                throw e;
            }
            return;
        }
        String eventId = Untrusted.text(envelope.eventId());
        String system = Untrusted.text(envelope.system(), 64);
        String tenant = Untrusted.text(envelope.tenant(), 64);
        MDC.put("eventId", eventId);
        MDC.put("correlationId", system + ":" + eventId);
        MDC.put("system", system);
        MDC.put("tenant", tenant);
        try {
            ProcessorService.Processed processed = processor.process(envelope);
            metrics.record(processed.outcome(), system);
            metrics.conflicts(processed.conflicts());
            String record = Untrusted.text(processed.record());
            fields(processed.outcome(), record, started);
            String writes = processed.writes().equals(ProcessorService.Writes.NONE) ? ""
                    : " " + processed.writes().describe();
            LOG.infof(LINE + "%s", messageId, eventId, system, tenant, record, receiveCount,
                    processed.outcome().label(), writes);
        } catch (ChangeTooLargeException e) {
            metrics.record(OVERSIZE, system);
            fields(OVERSIZE, "-", started);
            LOG.warnf(LINE + " cause=\"%s\"", messageId, eventId, system, tenant, "-", receiveCount, OVERSIZE.label(),
                    Untrusted.text(e.getMessage(), 300));
        } catch (ProcessingException e) {
            Outcome.Failed failed = new Outcome.Failed(e.causeLabel());
            metrics.record(failed, system);
            String record = Untrusted.text(e.record());
            String detail = Untrusted.text(e.getMessage(), 300);
            boolean deadLettered = deadLetter(message, failed, detail, eventId, system, tenant, record, receiveCount);
            fields(failed, record, started);
            LOG.errorf(LINE + " cause=\"%s\"%s", messageId, eventId, system, tenant, record, receiveCount,
                    failed.label(), detail, deadLettered ? " deadLettered=true" : "");
            if (!deadLettered) {
                // back when a retry can succeed (another delivery's lease ends), not after the visibility timeout
                e.retryAt().ifPresent(at -> redelivery.at(message.getEventSourceArn(), message.getReceiptHandle(), at));
                throw e;
            }
        } catch (RuntimeException e) {
            Outcome failed = new Outcome.Failed(e.getClass().getSimpleName());
            metrics.record(failed, system);
            fields(failed, "-", started);
            LOG.errorf(e, LINE + " cause=\"%s\"", messageId, eventId, system, tenant, "-", receiveCount,
                    failed.label(), Untrusted.text(e.getMessage(), 300));
            throw e;
        }
    }

    /** Sends a deterministic failure to the dead-letter queue; false when the message must be failed instead. */
    private boolean deadLetter(SQSMessage message, Outcome.Failed failed, String detail, String eventId,
            String system, String tenant, String record, String receiveCount) {
        if (!DeadLetters.deterministic(failed.cause())) {
            return false;
        }
        try {
            boolean sent = deadLetters.offer(new DeadLetter(message.getBody(), Untrusted.text(message.getMessageId(), 80),
                    failed.cause(), failed.layer(), detail, eventId, system, tenant, record, receiveCount,
                    firstReceived(message), clock.instant()));
            if (sent) {
                MDC.put("deadLettered", "true");
            }
            return sent;
        } catch (RuntimeException e) {
            LOG.warnf("could not dead-letter messageId=%s (%s); it is failed and retried instead",
                    Untrusted.text(message.getMessageId(), 80), Untrusted.text(e.getMessage(), 200));
            return false;
        }
    }

    private void fields(Outcome outcome, String record, Instant started) {
        int slash = record.indexOf('/');
        if (slash > 0) {
            MDC.put("resource", record.substring(0, slash));
            MDC.put("record", record.substring(slash + 1));
        }
        MDC.put("layer", outcome.layer());
        MDC.put("outcome", outcome.label());
        MDC.put("latencyMs", Long.toString(java.time.Duration.between(started, clock.instant()).toMillis()));
    }

    private static String attribute(SQSMessage message, String name) {
        if (message.getMessageAttributes() == null || message.getMessageAttributes().get(name) == null) {
            return "-";
        }
        return Untrusted.text(message.getMessageAttributes().get(name).getStringValue(), 256);
    }

    private static Instant firstReceived(SQSMessage message) {
        Map<String, String> attributes = message.getAttributes();
        String millis = attributes == null ? null : attributes.get("ApproximateFirstReceiveTimestamp");
        try {
            return millis == null ? null : Instant.ofEpochMilli(Long.parseLong(millis));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String receiveCount(SQSMessage message) {
        Map<String, String> attributes = message.getAttributes();
        return attributes == null ? "?" : attributes.getOrDefault("ApproximateReceiveCount", "?");
    }
}
