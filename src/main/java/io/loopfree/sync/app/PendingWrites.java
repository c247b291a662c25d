package io.loopfree.sync.app;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.outbound.PendingWrite;
import io.loopfree.sync.domain.state.RecordKey;
import io.loopfree.sync.domain.valve.AccountKey;
import io.loopfree.sync.ports.SyncLedger;

/**
 * Sends what an account's outbox still holds — after a pause is lifted, a breaker closes, or on a reconciler run —
 * each pending write with its own idempotency key, then completed like a write of the processor (so a write that
 * another instance completed meanwhile is never sent twice in effect, and never removed twice).
 */
@ApplicationScoped
public class PendingWrites {

    private static final Logger LOG = Logger.getLogger(PendingWrites.class);
    private static final int PAGE = 25;

    /**
     * What one drain did: writes sent and written, kept pending (to retry), given up; whether it got to the end (not
     * when the deadline came, or the account's breaker is open or it is paused: the rest waits).
     */
    public record Drained(int written, int retrying, int failed, boolean complete) {
    }

    private final SyncLedger ledger;
    private final OutboundSender sender;
    private final SafetyValves valves;
    private final Clock clock;
    private final Duration dedupTtl;

    public PendingWrites(SyncLedger ledger, OutboundSender sender, SafetyValves valves, Clock clock, SyncConfig config) {
        this.ledger = ledger;
        this.sender = sender;
        this.valves = valves;
        this.clock = clock;
        this.dedupTtl = config.dedup().ttl();
    }

    /**
     * Sends the account's pending writes (held and failed ones stay) until done or {@code deadline}, through the
     * account's breaker (read once here; a 429 on the way opens it and stops the drain).
     */
    public Drained drain(String tenant, String system, String account, Instant deadline) {
        return drain(new AccountKey(tenant, system, account), deadline);
    }

    public Drained drain(AccountKey key, Instant deadline) {
        return drain(key, deadline, Integer.MAX_VALUE);
    }

    /** At most {@code limit} writes sent (1: the half-open probe of an account that has no new change to send). */
    public Drained drain(AccountKey key, Instant deadline, int limit) {
        String tenant = key.tenant();
        String system = key.system();
        String account = key.account();
        SafetyValves.Session session = valves.forAccount(key);
        int written = 0;
        int retrying = 0;
        int failed = 0;
        Optional<String> after = Optional.empty();
        do {
            SyncLedger.OutboxPage page = ledger.outbox(tenant, system, account, PAGE, after);
            for (PendingWrite pending : page.writes()) {
                if (!pending.sendable()) {
                    continue;
                }
                if (!clock.instant().isBefore(deadline) || written + retrying + failed >= limit) {
                    return new Drained(written, retrying, failed, false);
                }
                RecordKey record = new RecordKey(tenant, pending.key().resource(), pending.key().canonicalKey());
                SyncLedger.RecordView view = ledger.read(new SyncLedger.RecordRead(record, List.of(),
                        List.of(pending.key())), clock.instant());
                // what the read found is what to send: a newer write may have replaced this one meanwhile
                List<PendingWrite> current = view.pending().stream().filter(PendingWrite::sendable).toList();
                if (current.isEmpty() || view.record().writingAt(clock.instant())) {
                    continue; // nothing left, or an apply of the record is sending its writes (these among them)
                }
                List<SyncLedger.WriteResult> results = sender.send(current, view.record(), deadline, session);
                List<SyncLedger.ValveCount> counts = session.counts(results, record.resource() + "/" + record.canonicalKey())
                        .stream().map(c -> new SyncLedger.ValveCount(c.window(), c.writes(), c.record(), c.expiresAt(), 0))
                        .toList(); // what waits is still in the outbox, and the drain's claim says it is due
                ledger.complete(new SyncLedger.NoEvent(), record, view.record().version(), results, counts,
                        view.record().writing() != null, clock.instant(), dedupTtl); // a dead apply's mark ends too
                boolean stopped = false;
                for (SyncLedger.WriteResult result : results) {
                    if (result instanceof SyncLedger.Written) {
                        written++;
                    } else if (result instanceof SyncLedger.Deferred) {
                        stopped = true;
                    } else if (result instanceof SyncLedger.WillRetry) {
                        retrying++;
                    } else if (!(result instanceof SyncLedger.Superseded)) {
                        failed++;
                    }
                }
                if (stopped) {
                    LOG.infof("pending writes of %s/%s/%s: the account's breaker is open or it is paused; written=%d,"
                            + " the rest waits", tenant, system, account, written);
                    return new Drained(written, retrying, failed, false);
                }
            }
            after = page.next();
        } while (after.isPresent());
        LOG.infof("pending writes of %s/%s/%s: written=%d retrying=%d failed=%d", tenant, system, account, written,
                retrying, failed);
        return new Drained(written, retrying, failed, true);
    }
}
