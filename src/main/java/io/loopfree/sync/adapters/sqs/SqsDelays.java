package io.loopfree.sync.adapters.sqs;

import java.time.Duration;

/** The whole seconds SQS takes for a delay or a visibility timeout: rounded up, so never early, and capped. */
public final class SqsDelays {

    private SqsDelays() {
    }

    /** {@code wait} in whole seconds, rounded up; 0 when it is not positive; at most {@code max}. */
    public static int seconds(Duration wait, Duration max) {
        if (wait.isNegative() || wait.isZero()) {
            return 0;
        }
        if (wait.compareTo(max) >= 0) {
            return (int) max.toSeconds();
        }
        return (int) (wait.toSeconds() + (wait.toNanosPart() > 0 ? 1 : 0));
    }
}
