package io.loopfree.sync.app;

/**
 * How the processor ended one message. A message that fails is not an outcome but an exception: it is reported
 * as a batch item failure, retried, and dead-lettered after the queue's maximum receives.
 */
public sealed interface Outcome {

    /** The label used in logs and counters: {@code applied}, {@code dropped:<reason>}, {@code failed:<cause>}. */
    String label();

    /** Passed every filter: the record's sync state was updated and the change handed to fan-out. */
    record Applied() implements Outcome {
        @Override
        public String label() {
            return "applied";
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

    Outcome APPLIED = new Applied();
    Outcome DUPLICATE = new Dropped("duplicate");
}
