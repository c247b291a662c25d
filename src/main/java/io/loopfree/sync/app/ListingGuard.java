package io.loopfree.sync.app;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.loopfree.sync.domain.outbound.OutboundResponse;
import io.loopfree.sync.domain.outbound.OutboundTarget;

/**
 * The reconciler's seam to the per-account safety valves: asked before each page whether the account may be
 * listed (its breaker, read then: one GetItem per page), and told every list answer, whose rate-limit headers move
 * the breaker as a write's do. A 429 still ends the job as {@code rate_limited} (the run's own rule); the breaker
 * then also holds the account's writes until its reset.
 */
@ApplicationScoped
public class ListingGuard {

    private final SafetyValves valves;

    public ListingGuard(SafetyValves valves) {
        this.valves = valves;
    }

    /** @return why the account must not be listed now (its breaker is open, it is paused); empty when it may */
    public Optional<String> blocked(OutboundTarget target) {
        SafetyValves.Session session = valves.forAccount(target);
        if (session.admits(target)) {
            return Optional.empty();
        }
        return Optional.of("the account's breaker holds it (" + session.breaker(SafetyValves.key(target)).state() + ")");
    }

    /** One list answer of the account, for its rate-limit headers. */
    public void observe(OutboundTarget target, OutboundResponse response) {
        valves.observe(target, response);
    }
}
