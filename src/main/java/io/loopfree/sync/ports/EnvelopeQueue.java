package io.loopfree.sync.ports;

import java.util.List;

import io.loopfree.sync.domain.envelope.Envelope;

/** Where verified envelopes go: the processing queue. */
public interface EnvelopeQueue {

    /**
     * Enqueues one envelope.
     *
     * @throws QueueUnavailableException when the queue did not accept it within the budget; the caller answers
     *         5xx so that the provider redelivers.
     * @throws EnvelopeTooLargeException when the envelope exceeds the queue's message size even compressed;
     *         nothing was sent
     */
    default void send(Envelope envelope) {
        sendAll(List.of(envelope));
    }

    /**
     * Enqueues the envelopes of one delivery, in as few requests as the queue allows. Either all are stored or an
     * exception says that some may not be: the provider then redelivers the whole delivery, and the processor's
     * dedup drops the events that were stored the first time.
     *
     * @throws QueueUnavailableException when some envelope was not accepted within the budget
     * @throws EnvelopeTooLargeException when some envelope is too large even compressed; nothing was sent
     * @throws EnvelopeRejectedException when the queue refused an envelope's content (a client error: sending it
     *         again cannot succeed)
     */
    void sendAll(List<Envelope> envelopes);

    /**
     * The queue refused the content of an envelope (e.g. characters it does not allow): the delivery's fault, not
     * the queue's. It must not count against the queue's availability, and the sender gets a 4xx.
     */
    final class EnvelopeRejectedException extends RuntimeException {
        public EnvelopeRejectedException(String message) {
            super(message);
        }
    }

    final class EnvelopeTooLargeException extends RuntimeException {
        public EnvelopeTooLargeException(String message) {
            super(message);
        }
    }

    /** The queue did not take the envelopes within the budget (down, slow, or the breaker is open): retry later. */
    final class QueueUnavailableException extends RuntimeException {
        public QueueUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
