package io.loopfree.sync.ports;

import java.util.Optional;

import io.loopfree.sync.domain.reconcile.ReconcileJob;
import io.loopfree.sync.domain.reconcile.Watermark;

/** Durable reconciliation watermarks, one per job; never expire. */
public interface WatermarkStore {

    Optional<Watermark> load(ReconcileJob job);

    /**
     * Saves the state after a run, unless a run that started later has already saved (one conditional write).
     *
     * @return false when a later run's state was kept
     */
    boolean save(Watermark watermark);
}
