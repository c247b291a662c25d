package io.loopfree.sync.app;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.change.Actor;
import io.loopfree.sync.domain.change.Change;
import io.loopfree.sync.domain.change.ChangeMapping;
import io.loopfree.sync.domain.change.FieldMapping;
import io.loopfree.sync.domain.change.FieldSet;
import io.loopfree.sync.domain.change.MappingException;
import io.loopfree.sync.domain.conflict.Conflict;
import io.loopfree.sync.domain.conflict.ConflictResolution;
import io.loopfree.sync.domain.connection.Connection;
import io.loopfree.sync.domain.connection.ConnectionSystem;
import io.loopfree.sync.domain.connection.InvalidConnectionException;
import io.loopfree.sync.domain.dedup.Claim;
import io.loopfree.sync.domain.dedup.DedupEntry;
import io.loopfree.sync.domain.dedup.EventKey;
import io.loopfree.sync.domain.echo.EchoRules;
import io.loopfree.sync.domain.echo.Identities;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.domain.link.LinkKey;
import io.loopfree.sync.domain.marker.MarkedWrite;
import io.loopfree.sync.domain.marker.Marker;
import io.loopfree.sync.domain.marker.MarkerKey;
import io.loopfree.sync.domain.outbound.FanOutPlanner;
import io.loopfree.sync.domain.outbound.OutboundResponse;
import io.loopfree.sync.domain.outbound.OutboxKey;
import io.loopfree.sync.domain.outbound.PendingWrite;
import io.loopfree.sync.domain.reconcile.ListedEnvelope;
import io.loopfree.sync.domain.state.FieldOrigin;
import io.loopfree.sync.domain.state.RecordKey;
import io.loopfree.sync.domain.state.RecordState;
import io.loopfree.sync.domain.state.StateRules;
import io.loopfree.sync.domain.valve.AccountKey;
import io.loopfree.sync.domain.valve.DrainRequest;
import io.loopfree.sync.ports.ConnectionRepository;
import io.loopfree.sync.ports.MappingRepository;
import io.loopfree.sync.ports.OutboundClient;
import io.loopfree.sync.ports.SyncLedger;

/**
 * Runs one envelope through the layers, cheapest first, and ends it applied or dropped with a reason (or throws
 * {@link ProcessingException}: the message is retried).
 * <ol>
 * <li>normalize: the system's mapping turns the payload into a {@link Change} (no I/O);</li>
 * <li>actor / change agent: our own identity or tag → echo (no I/O, so before any DynamoDB work);</li>
 * <li>read the event's dedup entry, the record's identity link, and the record itself under the key the change
 * names or else its own system's key (one request): done → duplicate; held by a live lease → retry later;</li>
 * <li>skinny: fetch the record from its system and map it (an HTTP call);</li>
 * <li>when the link names another record (or the fetch another key): read that one (one more request);</li>
 * <li>stale (per field: older than what its system holds, our writes there counted as of when they landed) →
 * dropped; an echo is never stale, so this comes before the marker;</li>
 * <li>marker: the change is the echo of one of our writes → dropped, the marker consumed with the event done;</li>
 * <li>another change of the record is sending its writes ({@code writing} on the record) → wait for them to land
 * and be recorded, then judge again; no net change → dropped (pending writes of the record are sent first);</li>
 * <li>apply: ownership decides the canonical fields, the field diff the writes; one transaction stores the next
 * state, the claim, the pending writes and their markers; the writes are sent; one transaction completes them.</li>
 * </ol>
 * Requests: duplicate 1, echo by marker 2, no-change/stale 2, applied 3 whatever the number of targets — one more
 * for a change of a record first seen in another system that does not name its canonical key (its link is read
 * first).
 */
@ApplicationScoped
public class ProcessorService {

    private static final Logger LOG = Logger.getLogger(ProcessorService.class);

    public static final String ECHO_MARKER = "echo-marker";
    public static final String IGNORED = "ignored";

    /** How long after its budget an apply's writing mark holds: time for its completing transaction. */
    static final Duration COMPLETION_MARGIN = Duration.ofSeconds(3);

    /**
     * What became of one envelope, which record it was about ({@code -} when not known), and its outbound writes:
     * {@code written}, {@code retrying} (kept pending), {@code failed} (given up), {@code skipped} (targets with
     * nothing to write).
     */
    public record Processed(Outcome outcome, String record, Writes writes, List<Conflict> conflicts) {
        public Processed {
            conflicts = conflicts == null ? List.of() : List.copyOf(conflicts);
        }

        public Processed(Outcome outcome, String record, Writes writes) {
            this(outcome, record, writes, List.of());
        }

        public Processed(Outcome outcome, String record) {
            this(outcome, record, Writes.NONE);
        }
    }

    public record Writes(int written, int retrying, int failed, int skipped, int held, int deferred) {
        public static final Writes NONE = new Writes(0, 0, 0, 0, 0, 0);

        public Writes(int written, int retrying, int failed, int skipped, int held) {
            this(written, retrying, failed, skipped, held, 0);
        }

        static Writes of(List<SyncLedger.WriteResult> results, int skipped, int held) {
            int written = 0;
            int retrying = 0;
            int failed = 0;
            int deferred = 0;
            for (SyncLedger.WriteResult result : results) {
                if (result instanceof SyncLedger.Written) {
                    written++;
                } else if (result instanceof SyncLedger.WillRetry) {
                    retrying++;
                } else if (result instanceof SyncLedger.Deferred) {
                    deferred++;
                } else if (result instanceof SyncLedger.Superseded) {
                    skipped++; // a newer value there: nothing to write, it is decided again as that system's change
                } else {
                    failed++;
                }
            }
            return new Writes(written, retrying, failed, skipped, held, deferred);
        }

        public String describe() {
            return "written=" + written + " retrying=" + retrying + " failed=" + failed + " skipped=" + skipped
                    + (held > 0 ? " held=" + held : "") + (deferred > 0 ? " deferred=" + deferred : "");
        }
    }

    private final MappingRepository mappings;
    private final SyncLedger ledger;
    private final ConnectionRepository connections;
    private final OutboundClient outbound;
    private final OutboundSender sender;
    private final SafetyValves valves;
    private final AccountOperations accounts;
    private final Clock clock;
    private final SyncConfig config;
    private final Duration dedupTtl;
    private final Duration lease;
    private final int maxAttempts;
    private final Identities identities;
    private final String changeAgent;

    public ProcessorService(MappingRepository mappings, SyncLedger ledger, ConnectionRepository connections,
            OutboundClient outbound, OutboundSender sender, SafetyValves valves, AccountOperations accounts, Clock clock,
            SyncConfig config) {
        this.valves = valves;
        this.accounts = accounts;
        this.mappings = mappings;
        this.ledger = ledger;
        this.connections = connections;
        this.outbound = outbound;
        this.sender = sender;
        this.clock = clock;
        this.config = config;
        this.dedupTtl = config.dedup().ttl();
        this.lease = config.dedup().lease();
        this.maxAttempts = Math.max(1, config.apply().maxAttempts());
        this.identities = new Identities(config.identities());
        this.changeAgent = config.echo().changeAgent();
    }

    public Processed process(Envelope envelope) {
        Optional<DrainRequest> drain;
        try {
            drain = DrainRequest.read(envelope);
        } catch (IllegalArgumentException e) {
            throw new ProcessingException("malformed-envelope", "-", e.getMessage(), e);
        }
        if (drain.isPresent()) {
            // not a change: an account's breaker reopens now, and the writes it held go out
            PendingWrites.Drained drained = accounts.drainRequested(drain.get(),
                    clock.instant().plus(config.fanOut().budget()));
            return new Processed(Outcome.DRAINED, "-", new Writes(drained.written(), drained.retrying(),
                    drained.failed(), 0, 0));
        }
        Optional<ConflictResolution> resolution;
        try {
            resolution = ConflictResolution.read(envelope);
        } catch (IllegalArgumentException e) {
            throw new ProcessingException("mapping-error", "-", e.getMessage(), e);
        }
        if (resolution.isPresent()) {
            return resolve(resolution.get());
        }
        Change change;
        ChangeMapping mapping;
        try {
            mapping = mappings.find(envelope.system()).orElseThrow(
                    () -> new MappingException("no mapping for system '" + envelope.system() + "'"));
            ChangeMapping.Normalized normalized = mapping.normalize(envelope);
            if (normalized instanceof ChangeMapping.Ignored) {
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
        Optional<Connection> connection;
        try {
            String resource = change.resource();
            String system = change.system();
            connection = connections.find(change.tenant(), resource).filter(c -> c.includes(system));
        } catch (InvalidConnectionException e) {
            throw new ProcessingException("invalid-connection", record, e.getMessage(), e);
        }
        Map<String, String> overrides = connection.map(c -> c.overridesFor(envelope.system())).orElse(Map.of());
        if (!overrides.isEmpty()) {
            // the tenant reads this system differently (e.g. our writes marked in a custom field): map it again
            try {
                mapping = mapping.withOverrides(overrides);
                ChangeMapping.Normalized normalized = mapping.normalize(envelope);
                if (normalized instanceof ChangeMapping.Ignored) {
                    return new Processed(new Outcome.Dropped(IGNORED), record);
                }
                change = ((ChangeMapping.Mapped) normalized).change();
            } catch (MappingException e) {
                throw new ProcessingException("mapping-error", record, e.getMessage(), e);
            }
            echo = EchoRules.echoReason(change, identities, changeAgent);
            if (echo.isPresent()) {
                return new Processed(new Outcome.Dropped(echo.get()), change.recordLabel());
            }
        }
        return filterAndApply(change, mapping, connection, clock.instant().plus(config.fanOut().budget()),
                ListedEnvelope.fullSync(envelope), Optional.empty());
    }

    /**
     * An operator's chosen value for a field (conflicts resolved): applied as a change from the operator that wins
     * as the newest, through the same apply, writes and completion as any change; its conflicts are marked resolved
     * in the apply's transaction.
     */
    private Processed resolve(ConflictResolution resolution) {
        String record = resolution.resource() + "/" + resolution.canonicalKey();
        Optional<Connection> connection;
        try {
            connection = connections.find(resolution.tenant(), resolution.resource());
        } catch (InvalidConnectionException e) {
            throw new ProcessingException("invalid-connection", record, e.getMessage(), e);
        }
        if (connection.isEmpty()) {
            throw new ProcessingException("invalid-connection", record, "no connection " + resolution.tenant() + "/"
                    + resolution.resource() + " to write the chosen value to", null);
        }
        Map<String, Object> fields = new java.util.HashMap<>();
        fields.put(resolution.field(), resolution.value());
        Change change = new Change(resolution.eventId(), ConflictResolution.SYSTEM, resolution.tenant(),
                ConflictResolution.SOURCE, resolution.resource(), resolution.canonicalKey(), resolution.canonicalKey(),
                resolution.at(), new Actor(Actor.Kind.human, resolution.who()), null, false, false, true,
                FieldSet.of(fields));
        return filterAndApply(change, null, connection, clock.instant().plus(config.fanOut().budget()), false,
                Optional.of(resolution));
    }

    /**
     * A merge re-points the links of the merged records to the survivor's canonical record: their later changes
     * (and the reconciler's listings) land there; nothing is created or deleted in the other systems.
     */
    private Processed merge(Change change) {
        String record = change.recordLabel();
        EventKey event = new EventKey(change.system(), change.tenant(), change.eventId());
        LinkKey survivor = new LinkKey(change.tenant(), change.resource(), change.system(), change.recordId());
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            Instant now = clock.instant();
            SyncLedger.Lookup lookup = ledger.lookup(event, survivor, Optional.empty(), now);
            if (lookup.dedup().isPresent() && lookup.dedup().get().blocks(now)) {
                return new Processed(alreadyClaimed(lookup.dedup().get(), record), record);
            }
            String canonicalKey = change.canonicalKey() != null ? change.canonicalKey()
                    : lookup.linked().orElse(survivor.defaultCanonicalKey());
            List<LinkKey> merged = change.merged().stream().filter(id -> !id.equals(change.recordId()))
                    .map(id -> new LinkKey(change.tenant(), change.resource(), change.system(), id)).toList();
            SyncLedger.Commit commit = ledger.relink(event, merged, canonicalKey, Outcome.APPLIED.label(), now, dedupTtl);
            if (commit instanceof SyncLedger.AlreadyClaimed claimed) {
                return new Processed(alreadyClaimed(claimed.existing(), record), record);
            }
            if (commit instanceof SyncLedger.Committed) {
                LOG.infof("merge %s: %d record(s) of %s now link to %s", record, merged.size(), change.system(),
                        canonicalKey);
                return new Processed(Outcome.APPLIED, record);
            }
        }
        throw new ProcessingException("apply-conflict", record, "merge of " + record + " kept conflicting", null);
    }

    /**
     * @param fullSync   listed by a full sync: its writes are not loop evidence ({@link ListedEnvelope#FULL_SYNC_HEADER})
     * @param resolution an operator's chosen value ({@code received} stands for it): not judged, it wins
     */
    private Processed filterAndApply(Change received, ChangeMapping mapping, Optional<Connection> connection,
            Instant deadline, boolean fullSync, Optional<ConflictResolution> resolution) {
        if (received.isMerge()) {
            return merge(received);
        }
        String record = received.recordLabel();
        EventKey event = new EventKey(received.system(), received.tenant(), received.eventId());
        LinkKey link = new LinkKey(received.tenant(), received.resource(), received.system(), received.recordId());
        Change change = received;
        boolean fetched = false;

        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            Instant now = clock.instant();
            // the record read rides on the first request: the key the change names, else a guess that holds for
            // every record first seen in this system (no link); a wrong guess costs one more read
            String guess = change.canonicalKey() != null ? change.canonicalKey() : link.defaultCanonicalKey();
            SyncLedger.Lookup lookup = ledger.lookup(event, link, Optional.of(recordRead(received, guess, connection)), now);
            if (lookup.dedup().isPresent() && lookup.dedup().get().blocks(now)) {
                return new Processed(alreadyClaimed(lookup.dedup().get(), record), record);
            }
            if (change.skinny() && !fetched) {
                change = fetch(change, mapping, connection, deadline);
                fetched = true;
            }
            String canonicalKey = change.canonicalKey() != null ? change.canonicalKey()
                    : lookup.linked().orElse(link.defaultCanonicalKey());
            SyncLedger.RecordRead read = recordRead(change, canonicalKey, connection);
            SyncLedger.RecordView view = lookup.record().filter(v -> v.record().key().equals(read.record()))
                    .orElseGet(() -> ledger.read(read, now));

            StateRules.Decision decision = resolution.isEmpty() ? StateRules.decide(change, view.record(), now)
                    : view.record().exists() ? new StateRules.Apply(view.record())
                    : new StateRules.Drop(IGNORED); // no record to resolve (never stored, or gone)
            if (decision instanceof StateRules.Drop drop && StateRules.STALE.equals(drop.reason())) {
                // older than what the system holds: not an echo either (ours is as new as the write it echoes)
                Optional<Processed> dropped = dropped(event, drop.reason(), view, record, now, deadline, fullSync,
                        staleConflicts(change, view, connection, now));
                if (dropped.isEmpty()) {
                    continue; // another sender claimed the record's pending writes since the read: read again
                }
                return dropped.get();
            }

            Optional<Marker> marker = view.marker(change.system());
            if (marker.isPresent()) {
                Optional<MarkedWrite> ours = marker.get().echoOf(change, StateRules.effectiveFields(change, view.record()), now);
                if (ours.isPresent()) {
                    SyncLedger.Commit commit = ledger.consumeMarker(event, marker.get().key(), ours.get(),
                            !change.partial(), "dropped:" + ECHO_MARKER, now, dedupTtl);
                    if (commit instanceof SyncLedger.Committed) {
                        return new Processed(new Outcome.Dropped(ECHO_MARKER), record);
                    }
                    if (commit instanceof SyncLedger.AlreadyClaimed claimed) {
                        return new Processed(alreadyClaimed(claimed.existing(), record), record);
                    }
                    continue; // the marker was consumed meanwhile: read again
                }
            }

            if (view.record().busyFor(event.asItemKey(), now)) {
                // another change of the record is sending its writes: judge this one against where they landed
                awaitWrites(read, event, deadline, record);
                attempt--; // waiting is not a conflict
                continue;
            }

            // an operator's chosen value has no system of its own to read the record from
            if (resolution.isEmpty() && !fetched
                    && StateRules.wantsWhole(change, view.record(), tracked(mapping, change))) {
                // a partial change of a record not held whole here: made whole first, so that a create fired as
                // one event per property is written once, whole, and the later ones repeat what is held
                fetched = true;
                Optional<Change> whole = fetchWhole(change, mapping, connection, deadline);
                if (whole.isPresent()) {
                    change = whole.get();
                    attempt--; // judged again as the whole record, under the key it names: not a conflict
                    continue;
                }
            }

            if (decision instanceof StateRules.Drop drop) {
                Optional<Processed> dropped = dropped(event, drop.reason(), view, record, now, deadline, fullSync);
                if (dropped.isEmpty()) {
                    continue; // another sender claimed the record's pending writes since the read: read again
                }
                return dropped.get();
            }

            RecordState next = ((StateRules.Apply) decision).next();
            FanOutPlanner.Plan plan = resolution.isPresent() ? override(connection.get(), change, resolution.get(), next, now)
                    : connection.isPresent() ? plan(connection.get(), change, view.record(), next, now)
                    : new FanOutPlanner.Plan(next, List.of(), 0, List.of());
            List<PendingWrite> writes = plan.pendingWrites(now);
            Set<OutboxKey> replaced = writes.stream().map(PendingWrite::key).collect(Collectors.toSet());
            List<PendingWrite> obsolete = view.pending().stream()
                    .filter(p -> p.status() == PendingWrite.Status.pending && !replaced.contains(p.key())).toList();
            List<Marker> markers = markers(writes, view, now);
            List<PendingWrite> sendable = writes.stream().filter(PendingWrite::sendable).toList();
            RecordState stored = sendable.isEmpty() ? plan.state()
                    : plan.state().writing(event.asItemKey(), deadline.plus(COMPLETION_MARGIN));
            Claim claim = new Claim(UUID.randomUUID().toString(), now.plus(lease));
            SyncLedger.ConflictWrites conflicts = new SyncLedger.ConflictWrites(plan.conflicts(), resolution
                    .map(r -> r.conflicts().stream().map(sk -> new SyncLedger.ResolvedConflict(r.tenant(), sk, r.id()))
                            .toList()).orElse(List.of()));
            SyncLedger.Commit commit = ledger.apply(event, stored, claim, record, writes, obsolete, markers, conflicts,
                    now, dedupTtl);
            if (commit instanceof SyncLedger.AlreadyClaimed claimed) {
                return new Processed(alreadyClaimed(claimed.existing(), record), record);
            }
            if (commit instanceof SyncLedger.Conflict conflict) {
                LOG.debugf("apply conflict on %s (attempt %d): %s", read.record().asItemKey(), attempt, conflict.what());
                continue;
            }
            int held = writes.size() - sendable.size();
            SafetyValves.Session session = valves.session(view);
            List<SyncLedger.WriteResult> results = sender.send(sendable, plan.state(), deadline, session);
            // a write that waits for its account's breaker or pause is not a failure: the outbox holds it, the
            // account's drain sends it; only a retryable failure sends the message back
            boolean retry = results.stream().anyMatch(r -> r instanceof SyncLedger.WillRetry);
            SyncLedger.EventFate fate = retry ? new SyncLedger.Release(event, claim)
                    : new SyncLedger.Finish(event, claim, Outcome.APPLIED.label());
            List<SyncLedger.ValveCount> counts = SafetyValves.loopEvidence(session.counts(results, record), fullSync);
            SyncLedger.Completion completion = ledger.complete(fate, plan.state().key(), plan.state().version(), results,
                    counts, !sendable.isEmpty(), clock.instant(), dedupTtl);
            session.afterWrites(counts, record);
            drainDue(session, deadline);
            Writes counted = Writes.of(results, plan.skipped(), held);
            if (retry) {
                throw new ProcessingException("outbound-retry", record, "applied; " + counted.describe()
                        + ": the pending writes are sent again on redelivery (" + firstRetryReason(results) + ")", null);
            }
            if (!completion.fateRecorded()) {
                LOG.warnf("event %s: lease ran out before it was finished; another delivery took it over",
                        event.asItemKey());
            }
            return new Processed(Outcome.APPLIED, record, counted, plan.conflicts());
        }
        throw new ProcessingException("apply-conflict", record,
                "record " + record + " changed concurrently " + maxAttempts + " times", null);
    }

    /**
     * Waits (polling the record, backing off) until the apply that marked it writing has completed or its lease has
     * ended; past this message's budget the message is retried later ({@code record-busy}). Real time bounds the
     * wait, whatever the application clock says.
     */
    private void awaitWrites(SyncLedger.RecordRead read, EventKey event, Instant deadline, String record) {
        long budgetNanos = Math.max(0, Duration.between(clock.instant(), deadline).toNanos());
        long giveUpAt = System.nanoTime() + budgetNanos;
        long pauseMs = 10;
        while (true) {
            try {
                Thread.sleep(pauseMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProcessingException("record-busy", record, "interrupted while the record was being written",
                        e);
            }
            if (!ledger.read(read, clock.instant()).record().busyFor(event.asItemKey(), clock.instant())) {
                return;
            }
            if (System.nanoTime() - giveUpAt > 0) {
                throw new ProcessingException("record-busy", record, "another change of " + record
                        + " was still sending its writes when this message's budget ran out", null);
            }
            pauseMs = Math.min(pauseMs * 2, 200);
        }
    }

    /**
     * A drop (stale, no change) still completes the record's pending writes: the redelivery of a change whose
     * writes failed finds its state applied, and must not leave them behind. They are claimed first (the record's
     * writing mark over the version read), so that a drain or another drop sending them at the same time never
     * sends them twice.
     *
     * @return empty when another sender claimed them (or the record moved on) since the read: read again
     */
    private Optional<Processed> dropped(EventKey event, String reason, SyncLedger.RecordView view, String record,
            Instant now, Instant deadline, boolean fullSync) {
        return dropped(event, reason, view, record, now, deadline, fullSync, List.of());
    }

    /** @param conflicts people's values the drop discards, kept in the drop's own transaction */
    private Optional<Processed> dropped(EventKey event, String reason, SyncLedger.RecordView view, String record,
            Instant now, Instant deadline, boolean fullSync, List<Conflict> conflicts) {
        // while another change's apply (or a drain) is sending them, they are its to send
        List<PendingWrite> pending = view.record().busyFor(event.asItemKey(), now) || !view.record().exists()
                ? List.of() : view.pending().stream().filter(PendingWrite::sendable).toList();
        if (pending.isEmpty()) {
            SyncLedger.Commit commit = ledger.recordDrop(event, "dropped:" + reason, conflicts, now, dedupTtl);
            if (commit instanceof SyncLedger.AlreadyClaimed claimed) {
                return Optional.of(new Processed(alreadyClaimed(claimed.existing(), record), record));
            }
            if (commit instanceof SyncLedger.Conflict) {
                // a concurrent delivery of the same event was writing it (a transaction conflict): judge it again
                throw new ProcessingException("apply-conflict", record, "the drop of " + record
                        + " could not be recorded: another transaction on its event was under way", null);
            }
            return Optional.of(new Processed(new Outcome.Dropped(reason), record, Writes.NONE, conflicts));
        }
        // a mark left by a dead delivery of this event (or one whose lease ended) is taken over, and ends with these
        OptionalLong claimed = ledger.claimWrites(view.record().key(), view.record().version(), event.asItemKey(),
                deadline.plus(COMPLETION_MARGIN), now);
        if (claimed.isEmpty()) {
            return Optional.empty();
        }
        SafetyValves.Session session = valves.session(view);
        List<SyncLedger.WriteResult> results = sender.send(pending, view.record(), deadline, session);
        boolean retry = results.stream().anyMatch(r -> r instanceof SyncLedger.WillRetry);
        List<SyncLedger.ValveCount> counts = SafetyValves.loopEvidence(session.counts(results, record), fullSync);
        SyncLedger.Completion completion = ledger.complete(retry ? new SyncLedger.NoEvent()
                : new SyncLedger.Drop(event, "dropped:" + reason, conflicts),
                view.record().key(), claimed.getAsLong(), results, counts, true, clock.instant(), dedupTtl);
        session.afterWrites(counts, record);
        drainDue(session, deadline);
        Writes counted = Writes.of(results, 0, 0);
        if (retry) {
            throw new ProcessingException("outbound-retry", record, "pending writes of the record: "
                    + counted.describe() + " (" + firstRetryReason(results) + ")", null);
        }
        return Optional.of(new Processed(new Outcome.Dropped(reason), record, counted,
                completion.fateRecorded() ? conflicts : List.of()));
    }

    /**
     * The people's values a stale change discards in favour of another system's (none for the late echo of one of
     * our own writes: a live marker of ours holds its value).
     */
    private List<Conflict> staleConflicts(Change change, SyncLedger.RecordView view, Optional<Connection> connection,
            Instant now) {
        // the record there as this change says it is (its stale fields included: they are what it says)
        FieldSet said = view.record().system(change.system()).map(known -> known.fields().overlay(change.fields()))
                .orElse(change.fields());
        if (connection.isEmpty() || view.marker(change.system()).flatMap(m -> m.echoOf(change, said, now))
                .isPresent()) {
            return List.of();
        }
        try {
            return FanOutPlanner.refusedAsStale(connection.get(), change, view.record(),
                    system -> fieldMapping(system, change.resource()), now);
        } catch (MappingException | IllegalStateException e) {
            throw new ProcessingException("mapping-error", change.recordLabel(), e.getMessage(), e);
        }
    }

    private FanOutPlanner.Plan override(Connection connection, Change change, ConflictResolution resolution,
            RecordState state, Instant now) {
        try {
            return FanOutPlanner.override(connection, state, change, resolution.field(), resolution.value(),
                    new FieldOrigin(ConflictResolution.SYSTEM, resolution.at(), now, Actor.Kind.human),
                    system -> fieldMapping(system, change.resource()), changeAgent);
        } catch (MappingException | IllegalStateException e) {
            throw new ProcessingException("mapping-error", change.recordLabel(), e.getMessage(), e);
        }
    }

    private FanOutPlanner.Plan plan(Connection connection, Change change, RecordState previous, RecordState next,
            Instant now) {
        try {
            return FanOutPlanner.plan(connection, change, previous, next,
                    system -> fieldMapping(system, change.resource()), changeAgent, now);
        } catch (MappingException | IllegalStateException e) {
            throw new ProcessingException("mapping-error", change.recordLabel(), e.getMessage(), e);
        }
    }

    private Optional<FieldMapping> fieldMapping(String system, String resource) {
        return mappings.find(system).flatMap(m -> m.fieldMapping(resource));
    }

    /** Each target's marker with its live writes and the one about to be made (written before the call). */
    private List<Marker> markers(List<PendingWrite> writes, SyncLedger.RecordView view, Instant now) {
        List<Marker> markers = new ArrayList<>();
        for (PendingWrite pending : writes) {
            if (!pending.sendable()) {
                continue;
            }
            String system = pending.write().target().system();
            MarkerKey key = new MarkerKey(pending.key().tenant(), system, pending.key().resource(),
                    pending.key().canonicalKey());
            List<MarkedWrite> live = new ArrayList<>(view.marker(system).map(m -> m.live(now)).orElse(List.of()));
            live.add(new MarkedWrite(pending.token(), pending.afterHash(), FieldSet.of(pending.write().fields()),
                    pending.write().correlationId(), now, now.plus(config.markers().ttlFor(system))));
            markers.add(new Marker(key, live));
        }
        return markers;
    }

    private SyncLedger.RecordRead recordRead(Change change, String canonicalKey, Optional<Connection> connection) {
        RecordKey recordKey = new RecordKey(change.tenant(), change.resource(), canonicalKey);
        List<MarkerKey> markers = new ArrayList<>();
        List<OutboxKey> outbox = new ArrayList<>();
        List<AccountKey> targets = new ArrayList<>();
        markers.add(new MarkerKey(change.tenant(), change.system(), change.resource(), canonicalKey));
        connection.ifPresent(c -> {
            for (ConnectionSystem system : c.systems()) {
                if (!system.system().equals(change.system())) {
                    markers.add(new MarkerKey(change.tenant(), system.system(), change.resource(), canonicalKey));
                }
                outbox.add(new OutboxKey(change.tenant(), system.system(), system.account(), change.resource(),
                        canonicalKey));
                targets.add(new AccountKey(change.tenant(), system.system(), system.account()));
            }
        });
        // every target's breaker and loop counters in the same read: no extra request, seen by every instance
        return new SyncLedger.RecordRead(recordKey, markers, outbox, valves.breakerKeys(targets),
                valves.counterKeys(targets, clock.instant()));
    }

    /**
     * The accounts this message found due (a probe closed their breaker, or they hold writes that waited): drained
     * within what is left of the message's budget; what is left waits for the next chance.
     */
    private void drainDue(SafetyValves.Session session, Instant deadline) {
        for (AccountKey account : session.drainDue()) {
            if (!clock.instant().isBefore(deadline)) {
                return;
            }
            try {
                accounts.drainDue(account, deadline);
            } catch (RuntimeException e) {
                // the change itself is done; the held writes stay in the outbox for the next chance
                LOG.warnf("drain of account=%s failed: %s", account.label(), e.toString());
            }
        }
    }

    /**
     * A skinny change (ids only) made whole with the record fetched from its system, when the connection says how
     * to reach it and the mapping how to read it; otherwise it stays skinny (applied as "fields must be fetched").
     */
    private Change fetch(Change change, ChangeMapping mapping, Optional<Connection> connection, Instant deadline) {
        Optional<ConnectionSystem> system = connection.flatMap(c -> c.system(change.system()));
        if (system.isEmpty()) {
            return change;
        }
        OutboundResponse response = outbound.fetch(system.get().target(), change.resource(), change.recordId(), deadline);
        valves.observe(system.get().target(), response); // its rate-limit headers count like any response's
        try {
            if (response instanceof OutboundResponse.Done done) {
                return mapping.enrich(change, done.body() == null ? Map.of() : done.body()).orElse(change);
            }
        } catch (MappingException e) {
            throw new ProcessingException("mapping-error", change.recordLabel(), e.getMessage(), e);
        }
        if (response instanceof OutboundResponse.NotFound) {
            return change.withFetched(null, change.occurredAt(), true, FieldSet.EMPTY);
        }
        throw new ProcessingException("fetch-failed", change.recordLabel(), "could not fetch the record from "
                + change.system() + ": " + response.getClass().getSimpleName() + " HTTP " + response.status(), null);
    }

    private static Set<String> tracked(ChangeMapping mapping, Change change) {
        return mapping.fieldMapping(change.resource()).map(fields -> fields.tracked().keySet())
                .orElse(Set.of());
    }

    /**
     * A partial change made whole with the record fetched from its system; empty when it cannot be (no connection
     * or {@code get}, no {@code fetched} section, the fetch failed or found nothing): the partial change is then
     * applied as it is, as before — it carries a real edit, never dropped for a failed read.
     */
    private Optional<Change> fetchWhole(Change change, ChangeMapping mapping, Optional<Connection> connection,
            Instant deadline) {
        Optional<ConnectionSystem> system = connection.flatMap(c -> c.system(change.system()));
        if (system.isEmpty()) {
            return Optional.empty();
        }
        OutboundResponse response = outbound.fetch(system.get().target(), change.resource(), change.recordId(), deadline);
        valves.observe(system.get().target(), response);
        if (!(response instanceof OutboundResponse.Done done)) {
            LOG.debugf("%s: partial change applied as it is, the record could not be fetched (HTTP %d)",
                    change.recordLabel(), response.status());
            return Optional.empty();
        }
        try {
            return mapping.enrich(change, done.body() == null ? Map.of() : done.body());
        } catch (MappingException e) {
            LOG.warnf("%s: partial change applied as it is, the fetched record is unreadable: %s",
                    change.recordLabel(), e.getMessage());
            return Optional.empty();
        }
    }

    private static String firstRetryReason(List<SyncLedger.WriteResult> results) {
        return results.stream().filter(r -> r instanceof SyncLedger.WillRetry)
                .map(r -> r.pending().write().target().system() + ": " + ((SyncLedger.WillRetry) r).reason())
                .findFirst().orElse("");
    }

    private static Outcome alreadyClaimed(DedupEntry existing, String record) {
        if (existing.status() == DedupEntry.Status.DONE) {
            return Outcome.DUPLICATE;
        }
        // Another delivery applied it and is handing it off now. Not dropped: if that delivery fails, this one must
        // still be there to retry it. It comes back when the lease ends: the event is done by then, or taken over.
        throw new ProcessingException("in-progress-elsewhere", record,
                "another delivery holds this event until " + existing.leaseExpiresAt(), null,
                Optional.ofNullable(existing.leaseExpiresAt()));
    }
}
