package io.loopfree.sync.app;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.valve.AccountKey;
import io.loopfree.sync.domain.valve.Breaker;
import io.loopfree.sync.domain.valve.BreakerRules;
import io.loopfree.sync.domain.valve.DrainRequest;
import io.loopfree.sync.ports.BreakerStore;
import io.loopfree.sync.ports.DrainScheduler;

/**
 * Operations on one account's outbound sync, for the operations command, the reconciler and the processor: pause,
 * resume, and the drain of the writes that waited (paused, breaker open). A drain is claimed on the breaker item
 * (a conditional write), so two instances never send the same held writes; an account whose breaker is open past
 * its reopen time is drained by its half-open probe first (one write), then the rest. The drain requested for a
 * breaker's reopen time ({@link DrainRequest}) comes here too.
 */
@ApplicationScoped
public class AccountOperations {

    private static final Logger LOG = Logger.getLogger(AccountOperations.class);

    private final BreakerStore breakers;
    private final PendingWrites pendingWrites;
    private final DrainScheduler scheduler;
    private final Clock clock;
    private final SyncConfig.Valves config;

    public AccountOperations(BreakerStore breakers, PendingWrites pendingWrites, DrainScheduler scheduler, Clock clock,
            SyncConfig config) {
        this.breakers = breakers;
        this.pendingWrites = pendingWrites;
        this.scheduler = scheduler;
        this.clock = clock;
        this.config = config.valves();
    }

    /** Pauses the account's outbound writes (the same as {@code paused=true} on its breaker item in the console). */
    public void pause(AccountKey account) {
        breakers.setPaused(account, true, clock.instant());
        LOG.infof("account=%s paused", account.label());
    }

    /** Lifts the pause and sends, once, every write that waited. */
    public PendingWrites.Drained resume(AccountKey account, Instant deadline) {
        breakers.setPaused(account, false, clock.instant());
        LOG.infof("account=%s resumed", account.label());
        return drainAccount(account, deadline);
    }

    /**
     * Sends the account's pending writes if its breaker lets it: closed → claimed and drained; open past its reopen
     * time → the half-open probe (one write), then, if it closed, the rest; open, paused or drained elsewhere →
     * nothing ({@code complete} false). For the reconciler's runs and the operations command.
     */
    public PendingWrites.Drained drainAccount(AccountKey account, Instant deadline) {
        return drain(account, deadline, true);
    }

    /** The processor's call for the accounts its message found due (a probe closed them, or held writes remain). */
    public PendingWrites.Drained drainDue(AccountKey account, Instant deadline) {
        return drain(account, deadline, false);
    }

    /**
     * A drain request that came with its breaker's reopen time ({@link DrainRequest}): due → the account is drained
     * as for {@link #drainDue} (the half-open probe first, then the rest); not due yet (a wait longer than one
     * delay, or an early arrival) → requested again for the rest of the wait.
     */
    public PendingWrites.Drained drainRequested(DrainRequest request, Instant deadline) {
        Instant now = clock.instant();
        if (now.isBefore(request.dueAt())) {
            scheduler.schedule(request, now);
            return new PendingWrites.Drained(0, 0, 0, false);
        }
        return drain(request.account(), deadline, false);
    }

    private PendingWrites.Drained drain(AccountKey account, Instant deadline, boolean force) {
        Instant now = clock.instant();
        Optional<BreakerStore.DrainClaim> claim = breakers.claimDrain(account, now, now.plus(config.drainLease()), force);
        PendingWrites.Drained probe = new PendingWrites.Drained(0, 0, 0, true);
        if (claim.isEmpty()) {
            Breaker breaker = breakers.find(account);
            if (!(BreakerRules.admit(breaker, now) instanceof BreakerRules.Probe)) {
                return new PendingWrites.Drained(0, 0, 0, false);
            }
            probe = pendingWrites.drain(account, deadline, 1);
            if (probe.written() == 0 || breakers.find(account).state() != Breaker.State.closed) {
                return probe;
            }
            now = clock.instant();
            claim = breakers.claimDrain(account, now, now.plus(config.drainLease()), true);
            if (claim.isEmpty()) {
                return probe;
            }
        }
        PendingWrites.Drained rest = pendingWrites.drain(account, deadline);
        PendingWrites.Drained drained = new PendingWrites.Drained(probe.written() + rest.written(),
                probe.retrying() + rest.retrying(), probe.failed() + rest.failed(), rest.complete());
        // not to the end: give back a held count, so the next message or run of the account drains again
        breakers.releaseDrain(account, claim.get(), drained.complete() ? 0 : Math.max(1, claim.get().held()
                - drained.written()), clock.instant());
        LOG.infof("account=%s drained: written=%d retrying=%d failed=%d complete=%s", account.label(),
                drained.written(), drained.retrying(), drained.failed(), drained.complete());
        if (!drained.complete() && drained.written() > 0) {
            // out of time, not out of writes: the rest goes on in a message of its own now (an account whose
            // breaker opened on the way has its own request at the reopen time; this one then finds it held)
            scheduler.schedule(new DrainRequest(account, clock.instant()), clock.instant());
        }
        return drained;
    }
}
