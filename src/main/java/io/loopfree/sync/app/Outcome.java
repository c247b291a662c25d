package io.loopfree.sync.app;

/**
 * How the processor ended one message. A message that fails is not an outcome but an exception: it is reported
 * as a batch item failure, retried, and dead-lettered after the queue's maximum receives.
 */
public sealed interface Outcome {

    /** The label used in logs and counters: {@code applied}, {@code dropped:<reason>}, {@code failed:<cause>}. */
    String label();

    /**
     * The processor layer that decided the outcome, for the structured log's {@code layer} field: {@code apply},
     * {@code dedup}, {@code actor}, {@code change-agent}, {@code marker}, {@code state-hash}, {@code stale},
     * {@code normalize}, {@code valves} (a drain request), or for a failure the layer of its cause.
     */
    default String layer() {
        if (this instanceof Applied) {
            return "apply";
        }
        if (this instanceof Drained) {
            return "valves";
        }
        if (this instanceof Dropped dropped) {
            switch (dropped.reason()) {
                case "duplicate": return "dedup";
                case "echo-actor": return "actor";
                case "echo-agent": return "change-agent";
                case "echo-marker": return "marker";
                case "no-change": return "state-hash";
                case "stale": return "stale";
                default: return "normalize"; // ignored, oversize
            }
        }
        String cause = ((Failed) this).cause();
        switch (cause) {
            case "malformed-envelope": return "decode";
            case "mapping-error": return "normalize";
            case "invalid-connection": return "connection";
            case "in-progress-elsewhere": return "dedup";
            case "apply-conflict": return "apply";
            case "fetch-failed":
            case "outbound-retry": return "outbound";
            default: return "processor";
        }
    }

    /** Passed every filter: the record's sync state was updated and the change handed to fan-out. */
    record Applied() implements Outcome {
        @Override
        public String label() {
            return "applied";
        }
    }

    /**
     * Not a change: a drain request (an account's breaker reopened) was carried out — its held writes sent, or found
     * sent already, or the breaker found still closed to them.
     */
    record Drained() implements Outcome {
        @Override
        public String label() {
            return "drained";
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
    Outcome DRAINED = new Drained();
    Outcome DUPLICATE = new Dropped("duplicate");
}
