package io.loopfree.sync.ports;

import io.loopfree.sync.domain.envelope.Envelope;

/** Where verified envelopes go: the processing queue. */
public interface EnvelopeQueue {

    /**
     * Enqueues one envelope.
     *
     * @throws QueueUnavailableException when the queue did not accept it within the budget; the caller answers
     *         5xx so that the provider redelivers.
     * @throws EnvelopeTooLargeException when the envelope exceeds the queue's message size; nothing was sent
     */
    void send(Envelope envelope);

    final class EnvelopeTooLargeException extends RuntimeException {
        public EnvelopeTooLargeException(String message) {
            super(message);
        }
    }

    final class QueueUnavailableException extends RuntimeException {
        public QueueUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
