package io.loopfree.sync.app;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 * listed (its breaker: read before the first page of a listing, then at most every 30 s or after a failed answer,
 * see {@link Watch}), and told every list answer, whose rate-limit headers move
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

    /** How long one job's listing trusts a breaker read that let it list: reads stay few whatever it lists. */
    static final Duration RECHECK = Duration.ofSeconds(30);

    /** One job's listing of one account: the breaker read before its first page, then every {@link #RECHECK}. */
    public Watch watch(OutboundTarget target, Clock clock) {
        return new Watch(target, clock);
    }

    /**
     * The breaker as one listing sees it: read (one GetItem) before the first page, again when {@link #RECHECK} has
     * passed or after an answer other than a success (a 429 may have opened it), never per page: the listing's
     * DynamoDB requests do not grow with the records it lists.
     */
    public final class Watch {
        private final OutboundTarget target;
        private final Clock clock;
        private Instant admittedUntil;

        private Watch(OutboundTarget target, Clock clock) {
            this.target = target;
            this.clock = clock;
        }

        public Optional<String> blocked() {
            Instant now = clock.instant();
            if (admittedUntil != null && now.isBefore(admittedUntil)) {
                return Optional.empty();
            }
            Optional<String> blocked = ListingGuard.this.blocked(target);
            admittedUntil = blocked.isEmpty() ? now.plus(RECHECK) : null;
            return blocked;
        }

        public void observe(OutboundResponse response) {
            ListingGuard.this.observe(target, response);
            if (!(response instanceof OutboundResponse.Done)) {
                admittedUntil = null;
            }
        }
    }
}
