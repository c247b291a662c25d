package io.loopfree.sync.app;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.outbound.PendingWrite;
import io.loopfree.sync.domain.state.RecordKey;
import io.loopfree.sync.domain.valve.AccountKey;
import io.loopfree.sync.ports.SyncLedger;

/**
 * Sends what an account's outbox still holds — after a pause is lifted, a breaker closes, or on a reconciler run —
 * each pending write with its own idempotency key, then completed like a write of the processor. Each record's
 * writes are claimed first ({@link SyncLedger#claimWrites}: the record's writing mark, conditional on the version
 * they were read with), so a write that an apply, a drop or another drain is sending is never sent twice.
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
    /** How long one record's calls may take (the processor's budget): its writing mark holds until then. */
    private final Duration budget;

    public PendingWrites(SyncLedger ledger, OutboundSender sender, SafetyValves valves, Clock clock, SyncConfig config) {
        this.ledger = ledger;
        this.sender = sender;
        this.valves = valves;
        this.clock = clock;
        this.dedupTtl = config.dedup().ttl();
        this.budget = config.fanOut().budget();
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
        String drainer = "drain:" + key.label() + ":" + UUID.randomUUID();
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
                Instant now = clock.instant();
                SyncLedger.RecordView view = ledger.read(new SyncLedger.RecordRead(record, List.of(),
                        List.of(pending.key())), now);
                // what the read found is what to send: a newer write may have replaced this one meanwhile
                List<PendingWrite> current = view.pending().stream().filter(PendingWrite::sendable).toList();
                if (current.isEmpty() || !view.record().exists() || view.record().writingAt(now)) {
                    continue; // nothing left, or another sender (an apply, a drop, a drain) is sending it
                }
                // one sender per pending write: the record's writing mark, over the version these were read with
                Instant callsBy = earliest(deadline, now.plus(budget));
                OptionalLong claimed = ledger.claimWrites(record, view.record().version(), drainer,
                        callsBy.plus(ProcessorService.COMPLETION_MARGIN), now);
                if (claimed.isEmpty()) {
                    continue; // another sender took it (or a newer change replaced it) since the read
                }
                List<SyncLedger.WriteResult> results = sender.send(current, view.record(), callsBy, session);
                List<SyncLedger.ValveCount> counts = session.counts(results, record.resource() + "/" + record.canonicalKey())
                        .stream().map(c -> new SyncLedger.ValveCount(c.window(), c.writes(), c.record(), c.expiresAt(), 0))
                        .toList(); // what waits is still in the outbox, and the drain's claim says it is due
                ledger.complete(new SyncLedger.NoEvent(), record, claimed.getAsLong(), results, counts, true,
                        clock.instant(), dedupTtl); // the claim's mark ends with the completion
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

    private static Instant earliest(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
