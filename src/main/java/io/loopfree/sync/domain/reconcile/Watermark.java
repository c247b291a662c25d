package io.loopfree.sync.domain.reconcile;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Per job: the start time of the last fully successful reconciliation run ({@code lastSuccessful}) and how the most
 * recent run ended. Only a completed run moves {@code lastSuccessful}, to the time its run <em>started</em> (records
 * changed while it listed are listed again by the next run). A run stopped by its time budget keeps a
 * {@link Checkpoint}: the next invocation resumes on that page, with the same {@code since} and start time.
 *
 * @param recordCount records enqueued by the run so far (across the invocations of a resumed run)
 * @param reason      why the last run did not complete (bounded text), empty when it did
 * @param runs        invocations that took the job's lease
 */
public record Watermark(
        ReconcileJob job,
        Optional<Instant> lastSuccessful,
        Optional<Instant> lastAttempted,
        Status status,
        long recordCount,
        Optional<Checkpoint> checkpoint,
        Optional<String> reason,
        long runs) {

    /** How the last run ended; {@code running}: in progress, or stopped by its time budget with a checkpoint. */
    public enum Status {
        running,
        completed,
        partial_failure,
        rate_limited,
        failed
    }

    /**
     * Where an unfinished run stands: the run's start time and {@code since} (kept, so the resumed listing is the
     * same query) and the cursor of the next page to list.
     */
    public record Checkpoint(Instant runStartedAt, Instant since, String cursor) {
        public Checkpoint {
            Objects.requireNonNull(runStartedAt, "runStartedAt");
            Objects.requireNonNull(since, "since");
            Objects.requireNonNull(cursor, "cursor");
        }
    }

    /** What one invocation of a job lists: from {@code since}, from {@code cursor} when it resumes. */
    public record RunPlan(ReconcileJob job, Instant runStartedAt, Instant since, Optional<String> cursor,
            long recordsSoFar, boolean fullSync, boolean resumed) {
    }

    /** How one invocation ended. */
    public enum Ending {
        /** the last page was listed and every record enqueued */
        COMPLETED,
        /** the time budget ran out between pages: a checkpoint is kept */
        STOPPED,
        /** every page was listed, but some records could not be enqueued (unreadable) */
        PARTIAL_FAILURE,
        /** the system answered 429 (or its breaker is open) */
        RATE_LIMITED,
        /** the listing or the queue failed */
        FAILED
    }

    public Watermark {
        Objects.requireNonNull(job, "job");
        lastSuccessful = lastSuccessful == null ? Optional.empty() : lastSuccessful;
        lastAttempted = lastAttempted == null ? Optional.empty() : lastAttempted;
        Objects.requireNonNull(status, "status");
        checkpoint = checkpoint == null ? Optional.empty() : checkpoint;
        reason = reason == null ? Optional.empty() : reason;
    }

    /**
     * What this invocation lists. A forced resync and a first run list everything ({@link Instant#EPOCH}); a run
     * with a checkpoint resumes it (unless forced); otherwise from the last success minus the clock-skew buffer.
     */
    public static RunPlan plan(ReconcileJob job, Optional<Watermark> previous, Instant startedAt, Duration skew,
            boolean forceFull) {
        Optional<Checkpoint> checkpoint = previous.flatMap(Watermark::checkpoint);
        if (!forceFull && checkpoint.isPresent()) {
            Checkpoint at = checkpoint.get();
            return new RunPlan(job, at.runStartedAt(), at.since(), Optional.of(at.cursor()),
                    previous.get().recordCount(), at.since().equals(Instant.EPOCH), true);
        }
        Optional<Instant> last = forceFull ? Optional.empty() : previous.flatMap(Watermark::lastSuccessful);
        Instant since = last.map(w -> w.minus(skew)).filter(s -> s.isAfter(Instant.EPOCH)).orElse(Instant.EPOCH);
        return new RunPlan(job, startedAt, since, Optional.empty(), 0, last.isEmpty(), false);
    }

    /**
     * The state after an invocation of {@code plan} that started at {@code attemptedAt} and ended so.
     *
     * @param records    records enqueued by this invocation
     * @param nextCursor the cursor of the page not yet listed (for {@link Ending#STOPPED}; for a rate-limited or
     *                   failed run, the page that failed, so that the next run resumes there), if any
     */
    public static Watermark after(RunPlan plan, Optional<Watermark> previous, Instant attemptedAt, Ending ending,
            long records, Optional<String> nextCursor, Optional<String> reason) {
        Optional<Instant> kept = previous.flatMap(Watermark::lastSuccessful);
        long runs = previous.map(Watermark::runs).orElse(0L) + 1;
        long count = plan.recordsSoFar() + records;
        Optional<Checkpoint> checkpoint = nextCursor.filter(c -> !c.isBlank())
                .map(c -> new Checkpoint(plan.runStartedAt(), plan.since(), c));
        return switch (ending) {
            case COMPLETED -> new Watermark(plan.job(), Optional.of(plan.runStartedAt()), Optional.of(attemptedAt),
                    Status.completed, count, Optional.empty(), Optional.empty(), runs);
            case STOPPED -> new Watermark(plan.job(), kept, Optional.of(attemptedAt), Status.running, count,
                    checkpoint, Optional.of(reason.orElse("time budget reached; resumes from its checkpoint")), runs);
            case PARTIAL_FAILURE -> new Watermark(plan.job(), kept, Optional.of(attemptedAt), Status.partial_failure,
                    count, Optional.empty(), reason, runs);
            case RATE_LIMITED -> new Watermark(plan.job(), kept, Optional.of(attemptedAt), Status.rate_limited, count,
                    checkpoint, reason, runs);
            case FAILED -> new Watermark(plan.job(), kept, Optional.of(attemptedAt), Status.failed, count, checkpoint,
                    reason, runs);
        };
    }
}
