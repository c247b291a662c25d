package io.loopfree.sync.app;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.loopfree.sync.domain.outbound.OutboundResponse;
import io.loopfree.sync.domain.outbound.OutboundTarget;
import io.loopfree.sync.domain.valve.AccountKey;
import io.loopfree.sync.domain.valve.BreakerRules;

/**
 * The reconciler's seam to the per-account safety valves: asked before each page whether the account may be
 * listed (its breaker, read then: one GetItem per page), and told every list answer, whose rate-limit headers move
 * the breaker as a write's do. A 429 still ends the job as {@code rate_limited} (the run's own rule); the breaker
 * then also holds the account's writes until its reset. After the reset the page's list call is the half-open
 * probe: its answer closes the breaker (the held writes become due) or reopens it.
 */
@ApplicationScoped
public class ListingGuard {

    private final SafetyValves valves;
    /** The session that claimed an account's probe, until the probe call's answer is observed. */
    private final Map<AccountKey, SafetyValves.Session> probing = new ConcurrentHashMap<>();

    public ListingGuard(SafetyValves valves) {
        this.valves = valves;
    }

    /** @return why the account must not be listed now (its breaker is open, it is paused); empty when it may */
    public Optional<String> blocked(OutboundTarget target) {
        AccountKey account = SafetyValves.key(target);
        probing.remove(account); // a probe whose call never answered (it threw) is left to its lease
        SafetyValves.Session session = valves.forAccount(target);
        BreakerRules.Gate gate = session.gate(target);
        if (gate instanceof BreakerRules.Hold) {
            return Optional.of("the account's breaker holds it (" + session.breaker(account).state() + ")");
        }
        if (gate instanceof BreakerRules.Probe) {
            // only the session holding the probe's token can close the breaker with the answer
            probing.put(account, session);
        }
        return Optional.empty();
    }

    /** One list answer of the account, for its rate-limit headers (and, for a probe, to close or reopen). */
    public void observe(OutboundTarget target, OutboundResponse response) {
        SafetyValves.Session probe = probing.remove(SafetyValves.key(target));
        if (probe != null) {
            probe.observe(target, response);
        } else {
            valves.observe(target, response);
        }
    }
}
