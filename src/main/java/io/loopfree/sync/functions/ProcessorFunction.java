package io.loopfree.sync.functions;

import java.util.Map;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;

import io.loopfree.sync.adapters.sqs.EnvelopeCodec;
import io.loopfree.sync.app.Outcome;
import io.loopfree.sync.app.ProcessingException;
import io.loopfree.sync.app.ProcessingMetrics;
import io.loopfree.sync.app.ProcessorService;
import io.loopfree.sync.domain.envelope.Envelope;
import io.quarkus.funqy.Funq;

/**
 * Lambda entry for {@code QUARKUS_FUNQY_EXPORT=processor}. Funqy hands over each record of the SQS batch on its
 * own; a record that throws becomes a batch item failure, so one poison message never fails its batch.
 * Every record writes exactly one {@code processed ... outcome=...} line.
 */
public class ProcessorFunction {

    private static final Logger LOG = Logger.getLogger(ProcessorFunction.class);
    private static final String LINE =
            "processed messageId=%s eventId=%s system=%s tenant=%s record=%s receiveCount=%s outcome=%s";

    @Inject
    ProcessorService processor;

    @Inject
    ProcessingMetrics metrics;

    @Funq("processor")
    public void processor(SQSMessage message) {
        String receiveCount = receiveCount(message);
        Envelope envelope;
        try {
            envelope = EnvelopeCodec.decode(message.getBody());
        } catch (EnvelopeCodec.MalformedEnvelopeException e) {
            Outcome failed = new Outcome.Failed("malformed-envelope");
            metrics.record(failed);
            LOG.errorf("processed messageId=%s receiveCount=%s outcome=%s cause=\"%s\"", message.getMessageId(),
                    receiveCount, failed.label(), e.getMessage());
            throw e;
        }
        try {
            ProcessorService.Processed processed = processor.process(envelope);
            metrics.record(processed.outcome());
            LOG.infof(LINE, message.getMessageId(), envelope.eventId(), envelope.system(), envelope.tenant(),
                    processed.record(), receiveCount, processed.outcome().label());
        } catch (ProcessingException e) {
            Outcome failed = new Outcome.Failed(e.causeLabel());
            metrics.record(failed);
            LOG.errorf(LINE + " cause=\"%s\"", message.getMessageId(), envelope.eventId(), envelope.system(),
                    envelope.tenant(), e.record(), receiveCount, failed.label(), e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            Outcome failed = new Outcome.Failed(e.getClass().getSimpleName());
            metrics.record(failed);
            LOG.errorf(e, LINE + " cause=\"%s\"", message.getMessageId(), envelope.eventId(), envelope.system(),
                    envelope.tenant(), "-", receiveCount, failed.label(), e.getMessage());
            throw e;
        }
    }

    private static String receiveCount(SQSMessage message) {
        Map<String, String> attributes = message.getAttributes();
        return attributes == null ? "?" : attributes.getOrDefault("ApproximateReceiveCount", "?");
    }
}
