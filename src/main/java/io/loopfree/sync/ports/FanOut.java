package io.loopfree.sync.ports;

import io.loopfree.sync.domain.change.Change;
import io.loopfree.sync.domain.state.RecordState;

/**
 * Hands an applied change on to the other systems of its connection (marker first, then an upsert with our
 * change-agent tag). Called after the sync state is stored; a throw makes the message fail and be retried.
 */
public interface FanOut {

    void handOff(Change change, RecordState applied);
}
