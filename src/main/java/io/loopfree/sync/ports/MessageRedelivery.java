package io.loopfree.sync.ports;

import java.time.Duration;

/**
 * The queue message the processor is handling, brought back sooner (or later) than the queue's visibility timeout:
 * a duplicate delivery that found its event in progress elsewhere comes back when that lease ends.
 */
public interface MessageRedelivery {

    /**
     * Makes the message visible again {@code delay} from now. Best effort: when it fails, the message comes back
     * after the queue's visibility timeout as before.
     *
     * @param queueArn      the queue the message came from (the event source's ARN)
     * @param receiptHandle this receipt of the message
     */
    void redeliverAfter(String queueArn, String receiptHandle, Duration delay);
}
