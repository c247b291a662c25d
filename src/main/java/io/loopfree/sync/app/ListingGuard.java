package io.loopfree.sync.app;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.loopfree.sync.domain.outbound.OutboundResponse;
import io.loopfree.sync.domain.outbound.OutboundTarget;

/**
 * The reconciler's seam to the per-account safety valves: asked before each page whether the account may be
 * listed, and told every list answer (its rate-limit headers). Until the per-account breaker lands, nothing is
 * blocked and nothing is fed: a 429 ends the job as {@code rate_limited} (the run's own rule). Connect the breaker
 * here, and only here.
 */
@ApplicationScoped
public class ListingGuard {

    /** @return why the account must not be listed now (its breaker is open, it is paused); empty when it may */
    public Optional<String> blocked(OutboundTarget target) {
        return Optional.empty();
    }

    /** One list answer of the account, for its rate-limit headers. */
    public void observe(OutboundTarget target, OutboundResponse response) {
        // no breaker yet
    }
}
