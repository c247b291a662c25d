package io.loopfree.sync.adapters.sqs;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.exceptions.FaultToleranceException;

import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.ports.EnvelopeQueue;

/**
 * The processing queue on SQS. The sending itself ({@link SqsSender}) runs under a timeout and a circuit breaker;
 * this adapter turns what those throw (MicroProfile {@link FaultToleranceException}: timed out, breaker open)
 * into the port's own {@link EnvelopeQueue.QueueUnavailableException}, so that the application knows only its
 * port.
 */
@ApplicationScoped
public class SqsEnvelopeQueue implements EnvelopeQueue {

    private final SqsSender sender;

    public SqsEnvelopeQueue(SqsSender sender) {
        this.sender = sender;
    }

    @Override
    public void sendAll(List<Envelope> envelopes) {
        try {
            sender.sendAll(envelopes);
        } catch (FaultToleranceException e) {
            throw new QueueUnavailableException("SQS send " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}
