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

    /** What one drain did: writes sent and written, kept pending (to retry), given up; whether it got to the end. */
    public record Drained(int written, int retrying, int failed, boolean complete) {
    }

    private final SyncLedger ledger;
    private final OutboundSender sender;
    private final Clock clock;
    private final Duration dedupTtl;

    public PendingWrites(SyncLedger ledger, OutboundSender sender, Clock clock, SyncConfig config) {
        this.ledger = ledger;
        this.sender = sender;
        this.clock = clock;
        this.dedupTtl = config.dedup().ttl();
    }

    /** Sends the account's pending writes (held and failed ones stay) until done or {@code deadline}. */
    public Drained drain(String tenant, String system, String account, Instant deadline) {
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
                if (!clock.instant().isBefore(deadline)) {
                    return new Drained(written, retrying, failed, false);
                }
                RecordKey record = new RecordKey(tenant, pending.key().resource(), pending.key().canonicalKey());
                SyncLedger.RecordView view = ledger.read(new SyncLedger.RecordRead(record, List.of(),
                        List.of(pending.key())), clock.instant());
                // what the read found is what to send: a newer write may have replaced this one meanwhile
                List<PendingWrite> current = view.pending().stream().filter(PendingWrite::sendable).toList();
                if (current.isEmpty()) {
                    continue;
                }
                List<SyncLedger.WriteResult> results = sender.send(current, view.record(), deadline);
                ledger.complete(new SyncLedger.NoEvent(), record, view.record().version(), results, clock.instant(),
                        dedupTtl);
                ProcessorService.Writes counted = ProcessorService.Writes.of(results, 0, 0);
                written += counted.written();
                retrying += counted.retrying();
                failed += counted.failed();
            }
            after = page.next();
        } while (after.isPresent());
        LOG.infof("pending writes of %s/%s/%s: written=%d retrying=%d failed=%d", tenant, system, account, written,
                retrying, failed);
        return new Drained(written, retrying, failed, true);
    }
}
