package io.loopfree.sync.adapters.fanout;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.loopfree.sync.domain.change.Change;
import io.loopfree.sync.domain.state.RecordState;
import io.loopfree.sync.ports.FanOut;

/**
 * The fan-out as it stands until connections and outbound writes exist (their own issue): a connection with no
 * other systems, so an applied change has nowhere to go. Not a stub: it is exactly what the engine does today,
 * and it keeps the processor's contract (apply, then hand off, then finish) in place for the real fan-out.
 */
@ApplicationScoped
public class NoTargetsFanOut implements FanOut {

    private static final Logger LOG = Logger.getLogger(NoTargetsFanOut.class);

    @Override
    public void handOff(Change change, RecordState applied) {
        LOG.debugf("fan-out: no targets for %s %s (record %s v%d)", change.system(), change.recordLabel(),
                applied.key().asItemKey(), applied.version());
    }
}
