package io.loopfree.sync.domain.connection;

/** A stored connection that cannot be used as it is (an operator's edit in the console, a bad seed file). */
public class InvalidConnectionException extends RuntimeException {

    public InvalidConnectionException(String message) {
        super(message);
    }

    public InvalidConnectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
