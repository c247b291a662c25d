package io.loopfree.sync.domain.reconcile;

import java.time.Instant;
import java.util.Optional;

/**
 * Per (system, account, resource): the start time of the last fully successful reconciliation run, plus how the
 * most recent run ended. A failed run keeps the previous {@code watermark} and records its status.
 */
public record Watermark(
        ReconcileJob job,
        Optional<Instant> watermark,
        Instant lastRunStartedAt,
        RunStatus lastRunStatus,
        long runs) {

    public enum RunStatus {
        SUCCEEDED,
        FAILED
    }

    /** The state after a run that started at {@code startedAt} ended with {@code status}. */
    public static Watermark afterRun(ReconcileJob job, Optional<Watermark> previous, Instant startedAt, RunStatus status) {
        Optional<Instant> kept = previous.flatMap(Watermark::watermark);
        Optional<Instant> next = status == RunStatus.SUCCEEDED ? Optional.of(startedAt) : kept;
        long runs = previous.map(Watermark::runs).orElse(0L) + 1;
        return new Watermark(job, next, startedAt, status, runs);
    }
}
