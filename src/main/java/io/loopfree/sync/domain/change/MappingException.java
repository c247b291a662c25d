package io.loopfree.sync.domain.change;

/**
 * A payload the provider mapping cannot read (no rule matches, a required expression yields nothing, a value of
 * the wrong type). Never a silent drop: the message fails, is retried, and lands in the DLQ with this cause.
 */
public class MappingException extends RuntimeException {

    public MappingException(String message) {
        super(message);
    }

    public MappingException(String message, Throwable cause) {
        super(message, cause);
    }
}
