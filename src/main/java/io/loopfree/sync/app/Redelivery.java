package io.loopfree.sync.app;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import io.loopfree.sync.ports.MessageRedelivery;

/**
 * Brings a failed message back when a retry can succeed rather than after the queue's visibility timeout: a
 * duplicate delivery that found its event in progress elsewhere ({@code failed:in-progress-elsewhere}) comes back
 * when that delivery's lease ends, to find the event done (a duplicate) or to take it over.
 */
@ApplicationScoped
public class Redelivery {

    private final MessageRedelivery queue;
    private final Clock clock;

    public Redelivery(MessageRedelivery queue, Clock clock) {
        this.queue = queue;
        this.clock = clock;
    }

    /** Best effort: without it the message still comes back, after the visibility timeout. */
    public void at(String queueArn, String receiptHandle, Instant retryAt) {
        Instant now = clock.instant();
        queue.redeliverAfter(queueArn, receiptHandle, retryAt.isAfter(now) ? Duration.between(now, retryAt)
                : Duration.ZERO);
    }
}
