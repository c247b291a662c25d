package io.loopfree.sync.app;

/**
 * How the processor ended one message. A message that fails is not an outcome but an exception: it is reported
 * as a batch item failure, retried, and dead-lettered after the queue's maximum receives.
 */
public sealed interface Outcome {

    /** The label used in logs and counters: {@code accepted}, {@code dropped:duplicate}, {@code failed:<cause>}. */
    String label();

    /** Passed every filter and was handed on. */
    record Accepted() implements Outcome {
        @Override
        public String label() {
            return "accepted";
        }
    }

    record Dropped(String reason) implements Outcome {
        @Override
        public String label() {
            return "dropped:" + reason;
        }
    }

    record Failed(String cause) implements Outcome {
        @Override
        public String label() {
            return "failed:" + cause;
        }
    }

    Outcome ACCEPTED = new Accepted();
    Outcome DUPLICATE = new Dropped("duplicate");
}
