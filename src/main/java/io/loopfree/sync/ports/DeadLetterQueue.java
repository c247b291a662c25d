package io.loopfree.sync.ports;

import java.time.Instant;

/**
 * Where a message that can never succeed goes at once (instead of being retried until the queue's
 * {@code maxReceiveCount}): the processing queue's dead-letter queue, with why it failed beside it.
 */
public interface DeadLetterQueue {

    /** Whether a dead-letter queue is configured; without one a failing message is retried, then redriven by SQS. */
    boolean configured();

    /**
     * Stores the message (its body unchanged, so a redrive after a fix processes it as the original) with its
     * cause as message attributes.
     *
     * @throws RuntimeException when it could not be stored: the caller fails the message instead (retried)
     */
    void send(DeadLetter letter);

    /**
     * One dead-lettered message. Every text is already escaped and bounded by the caller.
     *
     * @param cause           the outcome's cause ({@code mapping-error}, {@code malformed-envelope}, …)
     * @param layer           the processor layer that failed ({@code decode}, {@code normalize}, {@code connection})
     * @param detail          the failure's message, bounded
     * @param firstReceivedAt when SQS first delivered the message, if it said
     * @param lastReceivedAt  this delivery
     */
    record DeadLetter(String body, String sourceMessageId, String cause, String layer, String detail,
            String eventId, String system, String tenant, String record, String receiveCount,
            Instant firstReceivedAt, Instant lastReceivedAt) {
    }
}
