package io.loopfree.sync.app;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.change.Change;
import io.loopfree.sync.domain.change.ChangeMapping;
import io.loopfree.sync.domain.change.MappingException;
import io.loopfree.sync.domain.dedup.Claim;
import io.loopfree.sync.domain.dedup.DedupEntry;
import io.loopfree.sync.domain.dedup.EventKey;
import io.loopfree.sync.domain.echo.EchoRules;
import io.loopfree.sync.domain.echo.Identities;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.domain.marker.Marker;
import io.loopfree.sync.domain.marker.MarkerKey;
import io.loopfree.sync.domain.state.RecordKey;
import io.loopfree.sync.domain.state.StateRules;
import io.loopfree.sync.ports.FanOut;
import io.loopfree.sync.ports.MappingRepository;
import io.loopfree.sync.ports.SyncLedger;

/**
 * Runs one envelope through the layers, cheapest first, and ends it applied or dropped with a reason (or throws
 * {@link ProcessingException}: the message is retried).
 * <ol>
 * <li>normalize: the system's mapping turns the payload into a {@link Change} (no I/O);</li>
 * <li>actor / change agent: our own identity or tag → echo (no I/O, so before any DynamoDB work);</li>
 * <li>one strongly consistent read of the event's dedup entry, the record's marker and its sync state;</li>
 * <li>dedup: done → duplicate; held by a live lease → retry later;</li>
 * <li>marker: live, and the fields are the ones we wrote → echo, consumed together with marking the event done;</li>
 * <li>state hash → no-change; older than what we applied → stale (each marked done in one write);</li>
 * <li>apply: the next sync state at the version read, together with the in-progress claim (one transaction);
 * then fan-out; then done. A conflict re-reads and decides again, a bounded number of times.</li>
 * </ol>
 * Requests: duplicate 1, echo by marker 2, no-change/stale 2, applied 2 before fan-out and 3 in all.
 */
@ApplicationScoped
public class ProcessorService {

    private static final Logger LOG = Logger.getLogger(ProcessorService.class);

    public static final String ECHO_MARKER = "echo-marker";
    public static final String IGNORED = "ignored";

    /** What became of one envelope, and which record it was about ({@code -} when not known). */
    public record Processed(Outcome outcome, String record) {
    }

    private final MappingRepository mappings;
    private final SyncLedger ledger;
    private final FanOut fanOut;
    private final Clock clock;
    private final Duration dedupTtl;
    private final Duration lease;
    private final int maxAttempts;
    private final Identities identities;
    private final String changeAgent;

    public ProcessorService(MappingRepository mappings, SyncLedger ledger, FanOut fanOut, Clock clock,
            SyncConfig config) {
        this.mappings = mappings;
        this.ledger = ledger;
        this.fanOut = fanOut;
        this.clock = clock;
        this.dedupTtl = config.dedup().ttl();
        this.lease = config.dedup().lease();
        this.maxAttempts = Math.max(1, config.apply().maxAttempts());
        this.identities = new Identities(config.identities());
        this.changeAgent = config.echo().changeAgent();
    }

    public Processed process(Envelope envelope) {
        Change change;
        try {
            ChangeMapping mapping = mappings.find(envelope.system()).orElseThrow(
                    () -> new MappingException("no mapping for system '" + envelope.system() + "'"));
            ChangeMapping.Normalized normalized = mapping.normalize(envelope);
            if (normalized instanceof ChangeMapping.Ignored ignored) {
                return new Processed(new Outcome.Dropped(IGNORED), "-");
            }
            change = ((ChangeMapping.Mapped) normalized).change();
        } catch (MappingException e) {
            throw new ProcessingException("mapping-error", "-", e.getMessage(), e);
        }

        String record = change.recordLabel();
        Optional<String> echo = EchoRules.echoReason(change, identities, changeAgent);
        if (echo.isPresent()) {
            return new Processed(new Outcome.Dropped(echo.get()), record);
        }
        return new Processed(filterAndApply(change), record);
    }

    private Outcome filterAndApply(Change change) {
        String record = change.recordLabel();
        EventKey event = new EventKey(change.system(), change.tenant(), change.eventId());
        MarkerKey markerKey = new MarkerKey(change.tenant(), change.system(), change.resource(), change.recordId());
        RecordKey recordKey = new RecordKey(change.tenant(), change.resource(), change.canonicalKey());

        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            Instant now = clock.instant();
            SyncLedger.Snapshot snapshot = ledger.load(event, markerKey, recordKey, now);

            if (snapshot.dedup().isPresent() && snapshot.dedup().get().blocks(now)) {
                return alreadyClaimed(snapshot.dedup().get(), record);
            }

            Optional<Marker> marker = snapshot.marker();
            if (marker.isPresent()
                    && marker.get().matches(StateRules.effectiveFields(change, snapshot.record()).hash(), change.skinny())) {
                SyncLedger.Commit commit = ledger.consumeMarker(event, marker.get(), "dropped:" + ECHO_MARKER, now, dedupTtl);
                if (commit instanceof SyncLedger.Committed) {
                    return new Outcome.Dropped(ECHO_MARKER);
                }
                if (commit instanceof SyncLedger.AlreadyClaimed claimed) {
                    return alreadyClaimed(claimed.existing(), record);
                }
                continue; // the marker was consumed or replaced meanwhile: read again
            }

            StateRules.Decision decision = StateRules.decide(change, snapshot.record(), now);
            if (decision instanceof StateRules.Drop drop) {
                SyncLedger.Commit commit = ledger.recordDrop(event, "dropped:" + drop.reason(), now, dedupTtl);
                if (commit instanceof SyncLedger.AlreadyClaimed claimed) {
                    return alreadyClaimed(claimed.existing(), record);
                }
                return new Outcome.Dropped(drop.reason());
            }

            StateRules.Apply apply = (StateRules.Apply) decision;
            Claim claim = new Claim(UUID.randomUUID().toString(), now.plus(lease));
            SyncLedger.Commit commit = ledger.apply(event, apply.next(), claim, record, now, dedupTtl);
            if (commit instanceof SyncLedger.AlreadyClaimed claimed) {
                return alreadyClaimed(claimed.existing(), record);
            }
            if (commit instanceof SyncLedger.Conflict conflict) {
                LOG.debugf("apply conflict on %s (attempt %d): %s", recordKey.asItemKey(), attempt, conflict.what());
                continue;
            }
            handOff(change, apply, event, claim);
            if (!ledger.finish(event, claim, Outcome.APPLIED.label(), clock.instant())) {
                LOG.warnf("event %s: lease ran out before it was finished; another delivery took it over",
                        event.asItemKey());
            }
            return Outcome.APPLIED;
        }
        throw new ProcessingException("apply-conflict", record,
                "record " + recordKey.asItemKey() + " changed concurrently " + maxAttempts + " times", null);
    }

    private void handOff(Change change, StateRules.Apply apply, EventKey event, Claim claim) {
        try {
            fanOut.handOff(change, apply.next());
        } catch (RuntimeException e) {
            ledger.release(event, claim);
            throw new ProcessingException("fan-out", change.recordLabel(), "fan-out failed: " + e.getMessage(), e);
        }
    }

    private static Outcome alreadyClaimed(DedupEntry existing, String record) {
        if (existing.status() == DedupEntry.Status.DONE) {
            return Outcome.DUPLICATE;
        }
        // Another delivery applied it and is handing it off now. Not dropped: if that delivery fails, this one must
        // still be there to retry it. After the visibility timeout the lease has ended one way or the other.
        throw new ProcessingException("in-progress-elsewhere", record,
                "another delivery holds this event until " + existing.leaseExpiresAt(), null);
    }
}
