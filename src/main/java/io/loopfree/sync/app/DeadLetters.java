package io.loopfree.sync.app;

import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.loopfree.sync.ports.DeadLetterQueue;

/**
 * Which failures are deterministic (the same message fails the same way on every delivery, so retrying only burns
 * receives and delays the alarm) and sends those to the dead-letter queue at once. Transient ones
 * ({@code outbound-retry}, {@code in-progress-elsewhere}, {@code apply-conflict}, {@code fetch-failed}, throttling
 * and every unexpected exception) are retried as before and reach the dead-letter queue through the redrive policy.
 */
@ApplicationScoped
public class DeadLetters {

    /** The deterministic causes (their layer is {@link Outcome#layer()}). */
    static final Set<String> DETERMINISTIC = Set.of("malformed-envelope", "mapping-error", "invalid-connection");

    private final DeadLetterQueue queue;
    private final SyncMetrics metrics;

    public DeadLetters(DeadLetterQueue queue, SyncMetrics metrics) {
        this.queue = queue;
        this.metrics = metrics;
    }

    public static boolean deterministic(String cause) {
        return DETERMINISTIC.contains(cause);
    }

    /**
     * Dead-letters the message when its failure is deterministic and a dead-letter queue is configured.
     *
     * @return true when the message is now on the dead-letter queue (the caller acknowledges it); false when the
     *         caller must fail it (retried)
     */
    public boolean offer(DeadLetterQueue.DeadLetter letter) {
        if (!deterministic(letter.cause()) || !queue.configured()) {
            return false;
        }
        queue.send(letter);
        metrics.deadLettered(letter.cause(), letter.layer());
        return true;
    }
}
