package io.loopfree.sync.ports;

import java.time.Instant;
import java.util.Optional;

import io.loopfree.sync.domain.reconcile.ReconcileJob;
import io.loopfree.sync.domain.reconcile.Watermark;

/**
 * Durable reconciliation watermarks, one item per job; never expire. A run holds the job's lease from
 * {@link #acquire} to {@link #finish}: two overlapping invocations of one job → one runs (a conditional write).
 */
public interface WatermarkStore {

    /**
     * The lease is ours: the job's state before this run (empty on the first run ever), and whether an operator
     * asked for a forced full resync (cleared by this run's {@link #finish}).
     */
    record Acquired(Optional<Watermark> previous, boolean resyncRequested) {
        public Acquired(Optional<Watermark> previous) {
            this(previous, false);
        }
    }

    /**
     * Takes the job's lease until {@code leaseUntil} unless another invocation holds a lease that has not run out;
     * marks the job {@code running} with {@code lastAttempted = now}. One conditional write, which also returns the
     * previous state.
     *
     * @return empty when another invocation holds the lease
     */
    Optional<Acquired> acquire(ReconcileJob job, String owner, Instant now, Instant leaseUntil);

    /**
     * Stores the state after the run and releases the lease, only if {@code owner} still holds it (one conditional
     * write).
     *
     * @return false when the lease was lost (it ran out and another invocation took it): nothing was written
     */
    boolean finish(Watermark state, String owner);

    /** The job's state (console-style read, for tests and operators). */
    Optional<Watermark> load(ReconcileJob job);
}
