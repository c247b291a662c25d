package io.loopfree.sync.app;

import java.time.Instant;
import java.util.Optional;

/**
 * A message that could not be processed this time; it becomes a batch item failure (retried, then dead-lettered).
 * {@code cause} is the short label logged as {@code outcome=failed:<cause>}.
 */
public class ProcessingException extends RuntimeException {

    private final String causeLabel;
    private final String record;
    private final Optional<Instant> retryAt;

    public ProcessingException(String causeLabel, String record, String message, Throwable cause) {
        this(causeLabel, record, message, cause, Optional.empty());
    }

    /** @param retryAt when a retry can succeed (e.g. another delivery's lease ends): the message comes back then */
    public ProcessingException(String causeLabel, String record, String message, Throwable cause,
            Optional<Instant> retryAt) {
        super(message, cause);
        this.causeLabel = causeLabel;
        this.record = record;
        this.retryAt = retryAt;
    }

    /** When to bring the message back; empty: after the queue's visibility timeout. */
    public Optional<Instant> retryAt() {
        return retryAt;
    }

    public String causeLabel() {
        return causeLabel;
    }

    /** {@code contact/42}, or {@code -} when the payload could not be read that far. */
    public String record() {
        return record;
    }
}
