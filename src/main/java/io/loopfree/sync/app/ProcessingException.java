package io.loopfree.sync.app;

/**
 * A message that could not be processed this time; it becomes a batch item failure (retried, then dead-lettered).
 * {@code cause} is the short label logged as {@code outcome=failed:<cause>}.
 */
public class ProcessingException extends RuntimeException {

    private final String causeLabel;
    private final String record;

    public ProcessingException(String causeLabel, String record, String message, Throwable cause) {
        super(message, cause);
        this.causeLabel = causeLabel;
        this.record = record;
    }

    public String causeLabel() {
        return causeLabel;
    }

    /** {@code contact/42}, or {@code -} when the payload could not be read that far. */
    public String record() {
        return record;
    }
}
