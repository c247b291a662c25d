package io.loopfree.sync.app;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.change.Change;
import io.loopfree.sync.domain.change.ChangeMapping;
import io.loopfree.sync.domain.change.FieldMapping;
import io.loopfree.sync.domain.change.FieldSet;
import io.loopfree.sync.domain.change.FieldType;
import io.loopfree.sync.domain.change.MappingException;
import io.loopfree.sync.domain.connection.Connection;
import io.loopfree.sync.domain.connection.MatchRule;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.domain.link.LinkKey;
import io.loopfree.sync.domain.marker.MarkedWrite;
import io.loopfree.sync.domain.marker.Marker;
import io.loopfree.sync.domain.marker.MarkerKey;
import io.loopfree.sync.domain.outbound.FanOutPlanner;
import io.loopfree.sync.domain.outbound.OutboundResponse;
import io.loopfree.sync.domain.outbound.PendingWrite;
import io.loopfree.sync.domain.reconcile.JobSelection;
import io.loopfree.sync.domain.reconcile.ListedEnvelope;
import io.loopfree.sync.domain.reconcile.MatchGroup;
import io.loopfree.sync.domain.reconcile.MatchKeys;
import io.loopfree.sync.domain.reconcile.MatchPlanner;
import io.loopfree.sync.domain.reconcile.MatchRun;
import io.loopfree.sync.domain.reconcile.ReconcileJob;
import io.loopfree.sync.domain.reconcile.Watermark;
import io.loopfree.sync.domain.text.Untrusted;
import io.loopfree.sync.ports.EnvelopeQueue;
import io.loopfree.sync.ports.MappingRepository;
import io.loopfree.sync.ports.MatchStore;
import io.loopfree.sync.ports.OutboundClient;
import io.loopfree.sync.ports.WatermarkStore;

/**
 * Initial matching of one connection: its first sync, when records already exist in several of its systems.
 * <ol>
 * <li><b>Index</b>: every listable system listed in full, page by page; each record's normalized key
 * ({@link MatchKeys}) and body go to the run's index in DynamoDB (memory: one page). A record with no key value,
 * deleted, or already naming its canonical record (ours) is enqueued at once, as a first sync would.</li>
 * <li><b>Match</b>: the index read back in key order, one key's group at a time ({@link MatchGroup}): a match is
 * written in one conditional transaction ({@link MatchPlanner}: the record's state, the links, the writes that
 * bring the others to the winner's values, sent by the accounts' outbox drain); a record in one system only is
 * enqueued (the processor creates it in the others, as any first sync); an ambiguous key is reported and skipped.</li>
 * <li>Each job's watermark is set to the matching's start: its next run lists only what changed since.</li>
 * </ol>
 * Stops at the time budget with a checkpoint (pass, system, cursor or index position), resumed by the next run.
 */
@ApplicationScoped
public class InitialMatching {

    private static final Logger LOG = Logger.getLogger(InitialMatching.class);
    private static final int INDEX_PAGE = 100;
    /** An index entry's body must fit a DynamoDB item (400 KB) with room: a larger record is synced unmatched. */
    private static final int MAX_INDEXED_BODY = 300_000;
    private static final Duration INDEX_TTL = Duration.ofDays(7);
    private static final int MAX_LOGGED = 200;

    /** @param status completed, running (checkpointed: resumes), failed, skipped (another invocation holds it) */
    public record Result(String connection, String status, MatchRun.Counts counts, String reason) {
    }

    private final MatchStore store;
    private final OutboundClient outbound;
    private final MappingRepository mappings;
    private final EnvelopeQueue queue;
    private final WatermarkStore watermarks;
    private final ListingGuard guard;
    private final Clock clock;
    private final SyncConfig config;

    public InitialMatching(MatchStore store, OutboundClient outbound, MappingRepository mappings, EnvelopeQueue queue,
            WatermarkStore watermarks, ListingGuard guard, Clock clock, SyncConfig config) {
        this.store = store;
        this.outbound = outbound;
        this.mappings = mappings;
        this.queue = queue;
        this.watermarks = watermarks;
        this.guard = guard;
        this.clock = clock;
        this.config = config;
    }

    /**
     * @param jobs    the connection's listable jobs (every one, whatever the run was narrowed to)
     * @param restart start a new matching even if one completed (an operator's explicit request)
     * @return empty when the connection needs no matching (it has no rule, or it completed)
     */
    public Optional<Result> run(Connection connection, List<JobSelection.Due> jobs, boolean restart,
            Instant budgetEnd) {
        if (connection.matchRule().isEmpty() || jobs.isEmpty()) {
            return Optional.empty();
        }
        String label = connection.tenant() + "/" + connection.resource();
        String owner = UUID.randomUUID().toString();
        Instant now = clock.instant();
        Optional<MatchStore.Acquired> lease = store.acquire(connection.tenant(), connection.resource(), owner, now,
                now.plus(config.reconciler().lease()));
        if (lease.isEmpty()) {
            return Optional.of(new Result(label, "skipped", MatchRun.Counts.NONE,
                    "another invocation holds the connection's matching"));
        }
        Optional<MatchRun> previous = lease.get().previous();
        if (!restart && !MatchRun.due(previous)) {
            store.save(previous.get(), owner); // releases the lease as it was
            return Optional.empty();
        }
        // a run stopped by its budget or failed resumes from its checkpoint; an explicit request starts afresh
        MatchRun run = restart || previous.isEmpty() || previous.get().status() == MatchRun.Status.completed
                ? MatchRun.start(connection.tenant(), connection.resource(), UUID.randomUUID().toString(), now)
                : previous.get();
        Pass pass = new Pass(connection, jobs, run, budgetEnd);
        MatchRun after;
        try {
            after = pass.go();
        } catch (RuntimeException e) {
            LOG.errorf("matching connection=%s failed: %s", label, bounded(String.valueOf(e)));
            after = pass.run.ended(MatchRun.Status.failed, pass.counts, Optional.of(bounded(e.getClass().getSimpleName()
                    + ": " + e.getMessage())));
        }
        if (after.status() == MatchRun.Status.completed) {
            for (JobSelection.Due due : jobs) {
                settleWatermark(due.job(), after.startedAt());
            }
        }
        boolean saved = store.save(after, owner);
        MatchRun.Counts c = after.counts();
        LOG.infof("matching connection=%s status=%s phase=%s indexed=%d unkeyed=%d matched=%d unmatched=%d "
                + "ambiguous=%d known=%d saved=%s%s", label, after.status(), after.phase(), c.indexed(), c.unkeyed(),
                c.matched(), c.unmatched(), c.ambiguous(), c.known(), saved,
                after.reason().map(r -> " reason=" + r).orElse(""));
        return Optional.of(new Result(label, saved ? after.status().name() : "lease_lost", c,
                after.reason().orElse(null)));
    }

    /** The job's first sync was this matching: its watermark becomes the matching's start. */
    private void settleWatermark(ReconcileJob job, Instant matchingStart) {
        String owner = UUID.randomUUID().toString();
        Instant now = clock.instant();
        Optional<WatermarkStore.Acquired> lease = watermarks.acquire(job, owner, now, now.plus(config.reconciler().lease()));
        if (lease.isEmpty()) {
            LOG.warnf("matching: job %s is held by another invocation; its watermark is left as it is", job.label());
            return;
        }
        Watermark.RunPlan plan = Watermark.plan(job, lease.get().previous(), matchingStart,
                config.reconciler().skewBuffer(), true);
        watermarks.finish(Watermark.after(plan, lease.get().previous(), now, Watermark.Ending.COMPLETED, 0,
                Optional.empty(), Optional.empty()), owner);
    }

    /** One invocation's share of a matching run. */
    private final class Pass {
        final Connection connection;
        final MatchRule rule;
        final List<JobSelection.Due> jobs;
        final Map<String, JobSelection.Due> bySystem = new LinkedHashMap<>();
        final Instant budgetEnd;
        MatchRun run;
        MatchRun.Counts counts;
        final List<Envelope> outgoing = new ArrayList<>();

        Pass(Connection connection, List<JobSelection.Due> jobs, MatchRun run, Instant budgetEnd) {
            this.connection = connection;
            this.rule = connection.matchRule().orElseThrow();
            this.jobs = jobs;
            jobs.forEach(d -> bySystem.put(d.job().system(), d));
            this.run = run;
            this.counts = run.counts();
            this.budgetEnd = budgetEnd;
        }

        MatchRun go() {
            if (run.phase() == MatchRun.Phase.index) {
                for (int system = run.system(); system < jobs.size(); system++) {
                    Optional<MatchRun> stopped = index(system, system == run.system() ? run.cursor() : Optional.empty());
                    if (stopped.isPresent()) {
                        return stopped.get();
                    }
                }
                run = run.matching(Optional.empty(), counts);
            }
            return match();
        }

        private boolean budgetSpent() {
            return !clock.instant().isBefore(budgetEnd);
        }

        /** Lists one system in full into the index; a stopped or failed run when it could not finish. */
        private Optional<MatchRun> index(int system, Optional<String> start) {
            JobSelection.Due due = jobs.get(system);
            ReconcileJob job = due.job();
            ChangeMapping mapping = mapping(job.system());
            Optional<String> cursor = start;
            ListingGuard.Watch watch = guard.watch(due.target(), clock);
            boolean first = true;
            while (first || cursor.isPresent()) {
                if (budgetSpent() && !first) {
                    return Optional.of(run.indexing(system, cursor, counts).ended(MatchRun.Status.running, counts,
                            Optional.of("time budget reached while indexing " + job.system() + "; resumes")));
                }
                Optional<String> blocked = watch.blocked();
                if (blocked.isPresent()) {
                    return Optional.of(run.indexing(system, cursor, counts).ended(MatchRun.Status.running, counts,
                            Optional.of("account blocked: " + blocked.get())));
                }
                first = false;
                OutboundClient.PageResult result = outbound.list(due.target(), job.resource(), Instant.EPOCH, cursor,
                        clock.instant().plus(config.fanOut().budget()));
                watch.observe(result.response());
                if (result.page().isEmpty()) {
                    String why = result.response() instanceof OutboundResponse.RateLimited
                            ? "rate limited (HTTP 429) listing " : "list request failed (HTTP "
                                    + result.response().status() + ") for ";
                    return Optional.of(run.indexing(system, cursor, counts).ended(
                            result.response() instanceof OutboundResponse.RateLimited ? MatchRun.Status.running
                                    : MatchRun.Status.failed, counts, Optional.of(why + job.system())));
                }
                OutboundClient.Page page = result.page().get();
                List<MatchStore.IndexEntry> entries = new ArrayList<>();
                Instant listedAt = clock.instant();
                long indexed = 0;
                long unkeyed = 0;
                for (int i = 0; i < page.records().size(); i++) {
                    Optional<Listed> listed = read(job, mapping, page.records().get(i), page.recordsJson().get(i),
                            listedAt);
                    if (listed.isEmpty()) {
                        continue; // unreadable: logged; the job's next delta run meets it again
                    }
                    Optional<String> key = listed.get().key;
                    if (key.isPresent() && listed.get().body.length() <= MAX_INDEXED_BODY) {
                        entries.add(new MatchStore.IndexEntry(MatchKeys.digest(key.get()), key.get(), job.system(),
                                listed.get().change.recordId(), listed.get().updatedAt, listed.get().body));
                        indexed++;
                    } else {
                        outgoing.add(listed.get().envelope);
                        unkeyed++;
                    }
                }
                store.index(run, entries, clock.instant().plus(INDEX_TTL));
                flush();
                counts = counts.plus(new MatchRun.Counts(indexed, unkeyed, 0, 0, 0, 0));
                cursor = page.next();
                run = run.indexing(system, cursor, counts);
            }
            return Optional.empty();
        }

        /** Reads the index in key order, one group at a time (a group may straddle two pages). */
        private MatchRun match() {
            Optional<String> position = run.after();
            List<MatchStore.IndexEntry> group = new ArrayList<>();
            long groupSize = 0;
            String lastDone = position.orElse(null);
            while (true) {
                if (budgetSpent()) {
                    return run.matching(Optional.ofNullable(lastDone), counts).ended(MatchRun.Status.running, counts,
                            Optional.of("time budget reached while matching; resumes"));
                }
                MatchStore.IndexPage page = store.indexPage(run, position, INDEX_PAGE);
                List<MatchStore.IndexEntry> decided = new ArrayList<>();
                for (MatchStore.IndexEntry entry : page.entries()) {
                    if (!group.isEmpty() && !group.get(0).digest().equals(entry.digest())) {
                        decide(group, groupSize);
                        lastDone = store.position(group.get(group.size() - 1));
                        decided.addAll(group);
                        group.clear();
                        groupSize = 0;
                    }
                    groupSize++;
                    if (group.size() < MatchGroup.MAX_ENTRIES) {
                        group.add(entry);
                    } else {
                        decided.add(entry); // past the bound: counted, not kept (the group is ambiguous anyway)
                    }
                }
                if (page.next().isEmpty() && !group.isEmpty()) {
                    decide(group, groupSize);
                    decided.addAll(group);
                }
                flush();
                store.forget(run, decided);
                run = run.matching(Optional.ofNullable(lastDone), counts);
                if (page.next().isEmpty()) {
                    return run.matching(Optional.empty(), counts).ended(MatchRun.Status.completed, counts,
                            Optional.empty());
                }
                position = page.next();
            }
        }

        private void decide(List<MatchStore.IndexEntry> group, long total) {
            List<MatchGroup.Entry> entries = group.stream().map(e -> new MatchGroup.Entry(e.system(), e.recordId()))
                    .toList();
            MatchGroup.Decision decision = MatchGroup.decide(connection, entries, total);
            String key = group.get(0).key();
            if (decision instanceof MatchGroup.Unmatched) {
                outgoing.add(envelope(group.get(0)));
                counts = counts.plus(new MatchRun.Counts(0, 0, 0, 1, 0, 0));
            } else if (decision instanceof MatchGroup.Ambiguous ambiguous) {
                List<String> records = group.stream().map(e -> e.system() + ":" + e.recordId()).toList();
                LOG.warnf("matching connection=%s ambiguous key=%s: %s (%s); skipped, not synced until resolved",
                        run.label(), bounded(MatchKeys.readable(key)), ambiguous.reason(), bounded(String.join(", ",
                                records)));
                store.report(run, "ambiguous", MatchKeys.readable(key), ambiguous.reason(), records, clock.instant());
                counts = counts.plus(new MatchRun.Counts(0, 0, 0, 0, 1, 0));
            } else {
                pair((MatchGroup.Matched) decision, group, key);
            }
        }

        private void pair(MatchGroup.Matched matched, List<MatchStore.IndexEntry> group, String key) {
            Instant now = clock.instant();
            Change lead = change(find(group, matched.lead()));
            List<Change> others = matched.others().stream().map(e -> change(find(group, e))).toList();
            MatchPlanner.Pairing pairing = MatchPlanner.pair(connection, lead, others,
                    system -> mappings.find(system).flatMap(m -> m.fieldMapping(connection.resource())),
                    config.echo().changeAgent(), now);
            List<PendingWrite> writes = pairing.plan().pendingWrites(now);
            if (store.pair(pairing, writes, markers(writes, now), now)) {
                counts = counts.plus(new MatchRun.Counts(0, 0, 1, 0, 0, 0));
                return;
            }
            // a live change (or an earlier sync) already knew one of them: its path owns the records now
            List<String> records = group.stream().map(e -> e.system() + ":" + e.recordId()).toList();
            LOG.warnf("matching connection=%s key=%s: %s already known to the engine; not paired, synced as they are",
                    run.label(), bounded(MatchKeys.readable(key)), bounded(String.join(", ", records)));
            store.report(run, "known", MatchKeys.readable(key), "a record was already synced (a live change got "
                    + "there first): not paired", records, now);
            group.forEach(e -> outgoing.add(envelope(e)));
            counts = counts.plus(new MatchRun.Counts(0, 0, 0, 0, 0, 1));
        }

        private MatchStore.IndexEntry find(List<MatchStore.IndexEntry> group, MatchGroup.Entry entry) {
            return group.stream().filter(e -> e.system().equals(entry.system()) && e.recordId().equals(entry.recordId()))
                    .findFirst().orElseThrow();
        }

        private Envelope envelope(MatchStore.IndexEntry entry) {
            return ListedEnvelope.of(bySystem.get(entry.system()).job(), entry.recordId(),
                    Instant.parse(entry.updatedAt()), entry.updatedAt(), clock.instant(),
                    entry.body().getBytes(StandardCharsets.UTF_8), true);
        }

        private Change change(MatchStore.IndexEntry entry) {
            Envelope envelope = envelope(entry);
            ChangeMapping.Normalized normalized = mapping(entry.system()).normalize(envelope);
            if (!(normalized instanceof ChangeMapping.Mapped mapped)) {
                throw new MappingException("indexed record " + entry.system() + "/" + entry.recordId()
                        + " no longer maps");
            }
            return mapped.change();
        }

        private ChangeMapping mapping(String system) {
            ChangeMapping mapping = mappings.find(system).orElseThrow(
                    () -> new MappingException("no mapping for system " + system));
            Map<String, String> overrides = connection.overridesFor(system);
            return overrides.isEmpty() ? mapping : mapping.withOverrides(overrides);
        }

        private void flush() {
            if (outgoing.isEmpty()) {
                return;
            }
            queue.sendAll(List.copyOf(outgoing));
            outgoing.clear();
        }

        /** A listed record as the processor will read it, and its key when it can be matched. */
        private Optional<Listed> read(ReconcileJob job, ChangeMapping mapping, Map<String, Object> record,
                String body, Instant listedAt) {
            try {
                Optional<ChangeMapping.ListedRecord> listed = mapping.listed(job.resource(), record);
                if (listed.isEmpty()) {
                    LOG.warnf("matching job=%s: a listed record names no id or updated-at", job.label());
                    return Optional.empty();
                }
                String updatedAt = FieldType.formatInstant(listed.get().updatedAt());
                Envelope envelope = ListedEnvelope.of(job, listed.get().recordId(), listed.get().updatedAt(),
                        updatedAt, listedAt, body.getBytes(StandardCharsets.UTF_8));
                ChangeMapping.Normalized normalized = mapping.normalize(envelope);
                if (!(normalized instanceof ChangeMapping.Mapped mapped)) {
                    return Optional.empty();
                }
                Change change = mapped.change();
                Optional<String> key = Optional.empty();
                boolean ours = change.canonicalKey() != null && !change.canonicalKey().equals(
                        new LinkKey(job.tenant(), job.resource(), job.system(), change.recordId()).defaultCanonicalKey());
                if (!change.deleted() && !ours) {
                    Optional<FieldMapping> fields = mapping.fieldMapping(job.resource());
                    Map<String, Object> unified = fields.isPresent() ? fields.get().toUnified(change.fields())
                            : change.fields().values();
                    key = MatchKeys.of(rule, unified);
                }
                return Optional.of(new Listed(change, key, updatedAt, body, envelope));
            } catch (MappingException | IllegalArgumentException e) {
                LOG.warnf("matching job=%s: a listed record could not be read: %s", job.label(), bounded(e.getMessage()));
                return Optional.empty();
            }
        }
    }

    private record Listed(Change change, Optional<String> key, String updatedAt, String body, Envelope envelope) {
    }

    /** Each write's marker (the record is new: no earlier live writes), so its echo is recognised. */
    private List<Marker> markers(List<PendingWrite> writes, Instant now) {
        List<Marker> markers = new ArrayList<>();
        for (PendingWrite pending : writes) {
            if (!pending.sendable()) {
                continue;
            }
            String system = pending.write().target().system();
            MarkerKey key = new MarkerKey(pending.key().tenant(), system, pending.key().resource(),
                    pending.key().canonicalKey());
            markers.add(new Marker(key, List.of(new MarkedWrite(pending.token(), pending.afterHash(),
                    FieldSet.of(pending.write().fields()), pending.write().correlationId(), now,
                    now.plus(config.markers().ttlFor(system))))));
        }
        return markers;
    }

    /** Listed data (keys, ids) and exception text are escaped and bounded before they are logged or stored. */
    private static String bounded(String text) {
        return Untrusted.text(text, MAX_LOGGED);
    }
}
