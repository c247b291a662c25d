package io.loopfree.sync.functions;

import java.util.Map;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;

import io.loopfree.sync.app.Outcome;
import io.loopfree.sync.app.ProcessingException;
import io.loopfree.sync.app.ProcessingMetrics;
import io.loopfree.sync.app.ProcessorService;
import io.loopfree.sync.domain.change.ChangeTooLargeException;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.domain.envelope.EnvelopeCodec;
import io.loopfree.sync.domain.text.Untrusted;
import io.quarkus.funqy.Funq;

/**
 * Lambda entry for {@code QUARKUS_FUNQY_EXPORT=processor}. Funqy hands over each record of the SQS batch on its
 * own; a record that throws becomes a batch item failure, so one poison message never fails its batch.
 * Every record writes exactly one {@code processed ... outcome=...} line; every value in it that came from a
 * request (event id, system, tenant, record, cause) is escaped and bounded.
 */
public class ProcessorFunction {

    private static final Logger LOG = Logger.getLogger(ProcessorFunction.class);
    private static final String LINE =
            "processed messageId=%s eventId=%s system=%s tenant=%s record=%s receiveCount=%s outcome=%s";
    /** A change too large to keep: dropped, never retried (see {@link ChangeTooLargeException}). */
    public static final Outcome OVERSIZE = new Outcome.Dropped("oversize");

    @Inject
    ProcessorService processor;

    @Inject
    ProcessingMetrics metrics;

    @Funq("processor")
    public void processor(SQSMessage message) {
        String receiveCount = Untrusted.text(receiveCount(message), 10);
        String messageId = Untrusted.text(message.getMessageId(), 80);
        Envelope envelope;
        try {
            envelope = EnvelopeCodec.decode(message.getBody());
        } catch (EnvelopeCodec.MalformedEnvelopeException e) {
            Outcome failed = new Outcome.Failed("malformed-envelope");
            metrics.record(failed);
            LOG.errorf("processed messageId=%s receiveCount=%s outcome=%s cause=\"%s\"", messageId, receiveCount,
                    failed.label(), Untrusted.text(e.getMessage(), 300));
            throw e;
        }
        String eventId = Untrusted.text(envelope.eventId());
        String system = Untrusted.text(envelope.system(), 64);
        String tenant = Untrusted.text(envelope.tenant(), 64);
        try {
            ProcessorService.Processed processed = processor.process(envelope);
            metrics.record(processed.outcome());
            String writes = processed.writes().equals(ProcessorService.Writes.NONE) ? ""
                    : " " + processed.writes().describe();
            LOG.infof(LINE + "%s", messageId, eventId, system, tenant, Untrusted.text(processed.record()), receiveCount,
                    processed.outcome().label(), writes);
        } catch (ChangeTooLargeException e) {
            metrics.record(OVERSIZE);
            LOG.warnf(LINE + " cause=\"%s\"", messageId, eventId, system, tenant, "-", receiveCount, OVERSIZE.label(),
                    Untrusted.text(e.getMessage(), 300));
        } catch (ProcessingException e) {
            Outcome failed = new Outcome.Failed(e.causeLabel());
            metrics.record(failed);
            LOG.errorf(LINE + " cause=\"%s\"", messageId, eventId, system, tenant, Untrusted.text(e.record()),
                    receiveCount, failed.label(), Untrusted.text(e.getMessage(), 300));
            throw e;
        } catch (RuntimeException e) {
            Outcome failed = new Outcome.Failed(e.getClass().getSimpleName());
            metrics.record(failed);
            LOG.errorf(e, LINE + " cause=\"%s\"", messageId, eventId, system, tenant, "-", receiveCount,
                    failed.label(), Untrusted.text(e.getMessage(), 300));
            throw e;
        }
    }

    private static String receiveCount(SQSMessage message) {
        Map<String, String> attributes = message.getAttributes();
        return attributes == null ? "?" : attributes.getOrDefault("ApproximateReceiveCount", "?");
    }
}
