package io.loopfree.sync.ports;

import io.loopfree.sync.domain.marker.Marker;

/**
 * Correlation markers. The fan-out writes one through {@link #put} just before each outbound write; the processor
 * consumes it when the echo arrives (inside {@link SyncLedger}, in the same call that records the drop).
 */
public interface MarkerStore {

    /** Writes (or replaces: the newest write is the one to recognise) the marker for its record and system. */
    void put(Marker marker);
}
