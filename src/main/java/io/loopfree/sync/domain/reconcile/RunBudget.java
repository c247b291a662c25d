package io.loopfree.sync.domain.reconcile;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When a run stops listing (and checkpoints): the configured budget from its start, or earlier when the Lambda
 * context says the invocation ends sooner, minus the margin the run needs to finish after it stops (the watermark,
 * the account's pending writes, a page already requested).
 */
public final class RunBudget {

    private RunBudget() {
    }

    /**
     * @param deadline when the invocation is killed (the Lambda context's remaining time), when known
     */
    public static Instant end(Instant startedAt, Duration configured, Optional<Instant> deadline, Duration margin) {
        Instant byConfig = startedAt.plus(configured);
        if (deadline.isEmpty()) {
            return byConfig;
        }
        Instant byContext = deadline.get().minus(margin);
        return byContext.isBefore(byConfig) ? byContext : byConfig;
    }
}
