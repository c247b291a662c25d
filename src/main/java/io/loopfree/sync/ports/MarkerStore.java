package io.loopfree.sync.ports;

import io.loopfree.sync.domain.marker.Marker;

/**
 * Correlation markers outside the processor's transactions (operations, tests): the processor writes them in
 * the transaction that applies a change, and consumes them inside {@link SyncLedger}.
 */
public interface MarkerStore {

    /** Writes the record's marker item with these writes (replacing it). */
    void put(Marker marker);
}
