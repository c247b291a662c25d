package io.loopfree.sync.app;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.change.ChangeMapping;
import io.loopfree.sync.domain.change.FieldType;
import io.loopfree.sync.domain.change.MappingException;
import io.loopfree.sync.domain.connection.Connection;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.domain.outbound.OutboundProfile;
import io.loopfree.sync.domain.outbound.OutboundResponse;
import io.loopfree.sync.domain.reconcile.JobSelection;
import io.loopfree.sync.domain.reconcile.ListedEnvelope;
import io.loopfree.sync.domain.reconcile.ReconcileJob;
import io.loopfree.sync.domain.reconcile.RunBudget;
import io.loopfree.sync.domain.reconcile.Watermark;
import io.loopfree.sync.ports.ConnectionRepository;
import io.loopfree.sync.ports.EnvelopeQueue;
import io.loopfree.sync.ports.MappingRepository;
import io.loopfree.sync.ports.OutboundClient;
import io.loopfree.sync.ports.OutboundProfileRepository;
import io.loopfree.sync.ports.WatermarkStore;

/**
 * One scheduled reconciliation run: for each due job (from the connections), take the job's lease, list the records
 * changed since its watermark (minus the skew buffer) page by page, enqueue each as a listed-record envelope on the
 * processing queue (one {@code SendMessageBatch} per 10), then retry the account's pending outbound writes; store
 * how it ended. Only one page is held at a time. The processor applies what was enqueued like any webhook.
 */
@ApplicationScoped
public class ReconcilerService {

    private static final Logger LOG = Logger.getLogger(ReconcilerService.class);
    private static final int MAX_REASON = 300;

    /**
     * What the scheduled event asks for.
     *
     * @param tenant    only this tenant's jobs (empty: every tenant)
     * @param job       only this job (empty: every due job)
     * @param forceFull list everything, ignoring the watermark and any checkpoint (needs {@code job})
     * @param pageLimit stop (checkpoint) after this many pages per job, besides the time budget
     */
    public record RunRequest(Optional<String> tenant, Optional<ReconcileJob> job, boolean forceFull,
            OptionalInt pageLimit, Optional<MatchRequest> match) {
        public static final RunRequest SCHEDULED = new RunRequest(Optional.empty(), Optional.empty(), false,
                OptionalInt.empty());

        public RunRequest(Optional<String> tenant, Optional<ReconcileJob> job, boolean forceFull,
                OptionalInt pageLimit) {
            this(tenant, job, forceFull, pageLimit, Optional.empty());
        }

        public RunRequest {
            if (forceFull && job.isEmpty()) {
                throw new IllegalArgumentException("a forced full resync names its job");
            }
            match = match == null ? Optional.empty() : match;
        }
    }

    /** An operator's explicit (re-)matching of one connection: runs even if its matching completed before. */
    public record MatchRequest(String tenant, String resource) {
    }

    public record RunSummary(Instant startedAt, List<JobRun> jobs, List<String> invalidConnections,
            List<InitialMatching.Result> matchings) {
    }

    /**
     * @param status  the job's status after this run, or {@code skipped} when another invocation held it
     * @param drained pending outbound writes of the account: written / kept pending / given up
     */
    public record JobRun(String job, String status, Instant since, boolean fullSync, boolean resumed, int pages,
            long records, long unreadable, Instant lastSuccessful, String reason, PendingWrites.Drained drained) {
    }

    private final ConnectionRepository connections;
    private final OutboundProfileRepository profiles;
    private final OutboundClient outbound;
    private final MappingRepository mappings;
    private final EnvelopeQueue queue;
    private final WatermarkStore watermarks;
    private final PendingWrites pendingWrites;
    private final ListingGuard guard;
    private final Clock clock;
    private final SyncConfig.Reconciler settings;
    private final Duration callBudget;
    private final InitialMatching matching;

    public ReconcilerService(ConnectionRepository connections, OutboundProfileRepository profiles,
            OutboundClient outbound, MappingRepository mappings, EnvelopeQueue queue, WatermarkStore watermarks,
            PendingWrites pendingWrites, ListingGuard guard, Clock clock, SyncConfig config,
            InitialMatching matching) {
        this.matching = matching;
        this.connections = connections;
        this.profiles = profiles;
        this.outbound = outbound;
        this.mappings = mappings;
        this.queue = queue;
        this.watermarks = watermarks;
        this.pendingWrites = pendingWrites;
        this.guard = guard;
        this.clock = clock;
        this.settings = config.reconciler();
        this.callBudget = config.fanOut().budget();
    }

    public RunSummary run(RunRequest request) {
        return run(request, Optional.empty());
    }

    /**
     * @param invocationDeadline when the Lambda invocation is killed (its context's remaining time), when known:
     *                           listing stops {@code sync.reconciler.deadline-margin} before it, or at the
     *                           configured time budget if that comes first
     */
    public RunSummary run(RunRequest request, Optional<Instant> invocationDeadline) {
        Instant startedAt = clock.instant();
        Instant budgetEnd = RunBudget.end(startedAt, settings.timeBudget(), invocationDeadline,
                settings.deadlineMargin());
        List<String> invalid = new ArrayList<>();
        List<Connection> all = connections.all(invalid::add);
        List<JobSelection.Due> due = JobSelection.due(all, this::listable, request.tenant(), request.job(),
                settings.jobs().orElse(List.of()));
        invalid.forEach(why -> LOG.warnf("reconcile: connection left out: %s", bounded(why)));
        List<InitialMatching.Result> matchings = new ArrayList<>();
        Set<String> awaitingMatching = match(all, due, request, budgetEnd, matchings);
        List<JobRun> runs = new ArrayList<>();
        for (JobSelection.Due job : due) {
            if (awaitingMatching.contains(job.job().tenant() + "#" + job.job().resource())) {
                // its first sync is the matching: listing it before would create what matching pairs
                runs.add(new JobRun(job.job().label(), "awaiting_matching", null, false, false, 0, 0, 0, null,
                        "the connection's initial matching has not completed", null));
                continue;
            }
            runs.add(runJob(job, request, budgetEnd));
        }
        return new RunSummary(startedAt, runs, List.copyOf(invalid), List.copyOf(matchings));
    }

    /**
     * Initial matching of the connections this run touches that have a match rule and have not completed it (or
     * that the request names); the connections whose matching did not complete are returned
     * ({@code tenant#resource}): their jobs wait.
     */
    private Set<String> match(List<Connection> all, List<JobSelection.Due> due, RunRequest request, Instant budgetEnd,
            List<InitialMatching.Result> results) {
        Set<String> awaiting = new HashSet<>();
        for (Connection connection : all) {
            if (connection.matchRule().isEmpty()) {
                continue;
            }
            boolean named = request.match().filter(m -> m.tenant().equals(connection.tenant())
                    && m.resource().equals(connection.resource())).isPresent();
            boolean touched = due.stream().anyMatch(d -> d.job().tenant().equals(connection.tenant())
                    && d.job().resource().equals(connection.resource()));
            if (!named && !touched) {
                continue;
            }
            List<JobSelection.Due> jobs = JobSelection.due(List.of(connection), this::listable, Optional.empty(),
                    Optional.empty(), settings.jobs().orElse(List.of()));
            Optional<InitialMatching.Result> result = matching.run(connection, jobs, named, budgetEnd);
            if (result.isPresent()) {
                results.add(result.get());
                if (!"completed".equals(result.get().status())) {
                    awaiting.add(connection.tenant() + "#" + connection.resource());
                }
            }
        }
        return awaiting;
    }

    private boolean listable(String profile) {
        try {
            return profiles.find(profile).flatMap(p -> p.request(OutboundProfile.Operation.LIST)).isPresent();
        } catch (IllegalArgumentException invalidProfile) {
            LOG.warnf("reconcile: profile %s is not valid: %s", profile, bounded(invalidProfile.getMessage()));
            return false;
        }
    }

    private JobRun runJob(JobSelection.Due due, RunRequest request, Instant budgetEnd) {
        ReconcileJob job = due.job();
        String owner = UUID.randomUUID().toString();
        Instant attemptedAt = clock.instant();
        Optional<WatermarkStore.Acquired> lease = watermarks.acquire(job, owner, attemptedAt,
                attemptedAt.plus(settings.lease()));
        if (lease.isEmpty()) {
            LOG.infof("reconcile job=%s skipped: another invocation holds it", job.label());
            return new JobRun(job.label(), "skipped", null, false, false, 0, 0, 0, null,
                    "another invocation holds the job's lease", null);
        }
        Optional<Watermark> previous = lease.get().previous();
        // an operator's request (loopfree-ops resync) forces it like the scheduled event's forceFullResync
        boolean forceFull = request.forceFull() || lease.get().resyncRequested();
        Watermark.RunPlan plan = Watermark.plan(job, previous, attemptedAt, settings.skewBuffer(), forceFull);
        Listing listing;
        try {
            listing = list(due, plan, request.pageLimit(), budgetEnd);
        } catch (RuntimeException e) {
            // a configuration error (an invalid profile), DynamoDB, the SDK: this job fails, the others still run
            LOG.errorf("reconcile job=%s failed: %s", job.label(), bounded(String.valueOf(e)));
            listing = new Listing().end(Watermark.Ending.FAILED, plan.cursor(), e.getClass().getSimpleName() + ": "
                    + e.getMessage());
        }
        Watermark next = Watermark.after(plan, previous, attemptedAt, listing.ending, listing.records,
                listing.nextCursor, listing.reason.map(ReconcilerService::bounded));
        boolean saved = watermarks.finish(next, owner);
        PendingWrites.Drained drained = pendingWrites.drain(job.tenant(), job.system(), job.account(),
                clock.instant().plus(settings.drainBudget()));
        LOG.infof("reconcile job=%s status=%s since=%s fullSync=%s resumed=%s pages=%d records=%d unreadable=%d "
                + "lastSuccessful=%s saved=%s pendingWrites=%d/%d/%d%s", job.label(), next.status(), plan.since(),
                plan.fullSync(), plan.resumed(), listing.pages, listing.records, listing.unreadable,
                next.lastSuccessful().map(Instant::toString).orElse("none"), saved, drained.written(),
                drained.retrying(), drained.failed(), next.reason().map(r -> " reason=" + r).orElse(""));
        String status = saved ? next.status().name() : "lease_lost";
        return new JobRun(job.label(), status, plan.since(), plan.fullSync(), plan.resumed(), listing.pages,
                listing.records, listing.unreadable, next.lastSuccessful().orElse(null), next.reason().orElse(null),
                drained);
    }

    private static final class Listing {
        Watermark.Ending ending;
        Optional<String> nextCursor = Optional.empty();
        Optional<String> reason = Optional.empty();
        int pages;
        long records;
        long unreadable;

        Listing end(Watermark.Ending ending, Optional<String> cursor, String reason) {
            this.ending = ending;
            this.nextCursor = cursor;
            this.reason = Optional.ofNullable(reason);
            return this;
        }
    }

    /** Page by page: list, map each record to its envelope, enqueue the page, follow the cursor. */
    private Listing list(JobSelection.Due due, Watermark.RunPlan plan, OptionalInt pageLimit, Instant budgetEnd) {
        ReconcileJob job = due.job();
        Listing listing = new Listing();
        Optional<ChangeMapping> mapping = mappings.find(job.system());
        if (mapping.isEmpty()) {
            return listing.end(Watermark.Ending.FAILED, plan.cursor(), "no mapping for system " + job.system());
        }
        Optional<String> cursor = plan.cursor();
        ListingGuard.Watch watch = guard.watch(due.target(), clock);
        while (true) {
            Optional<String> blocked = watch.blocked();
            if (blocked.isPresent()) {
                return listing.end(Watermark.Ending.RATE_LIMITED, cursor, "account blocked: " + blocked.get());
            }
            boolean budgetSpent = !clock.instant().isBefore(budgetEnd)
                    || (pageLimit.isPresent() && listing.pages >= pageLimit.getAsInt());
            if (budgetSpent && cursor.isPresent()) {
                return listing.end(Watermark.Ending.STOPPED, cursor, "time budget reached after " + listing.pages
                        + " page(s); resumes from its checkpoint");
            }
            Instant callDeadline = clock.instant().plus(callBudget);
            OutboundClient.PageResult result = outbound.list(due.target(), job.resource(), plan.since(), cursor,
                    callDeadline);
            watch.observe(result.response());
            if (result.response() instanceof OutboundResponse.RateLimited limited) {
                return listing.end(Watermark.Ending.RATE_LIMITED, cursor, "HTTP " + limited.status()
                        + " from the list request" + limited.retryAt().map(t -> ", retry at " + t).orElse(""));
            }
            if (result.page().isEmpty()) {
                return listing.end(Watermark.Ending.FAILED, cursor, "list request: "
                        + result.response().getClass().getSimpleName() + " HTTP " + result.response().status()
                        + reasonOf(result.response()));
            }
            OutboundClient.Page page = result.page().get();
            List<Envelope> envelopes = new ArrayList<>(page.records().size());
            Instant listedAt = clock.instant();
            for (int i = 0; i < page.records().size(); i++) {
                Optional<Envelope> envelope = envelope(job, mapping.get(), page, i, listedAt, plan.fullSync());
                if (envelope.isPresent()) {
                    envelopes.add(envelope.get());
                } else {
                    listing.unreadable++;
                }
            }
            try {
                enqueue(envelopes, listing);
            } catch (EnvelopeQueue.QueueUnavailableException e) {
                return listing.end(Watermark.Ending.FAILED, cursor, "queue: " + e.getMessage());
            }
            listing.pages++;
            if (page.next().isEmpty()) {
                return listing.unreadable > 0
                        ? listing.end(Watermark.Ending.PARTIAL_FAILURE, Optional.empty(), listing.unreadable
                                + " listed record(s) could not be read or enqueued")
                        : listing.end(Watermark.Ending.COMPLETED, Optional.empty(), null);
            }
            cursor = page.next();
        }
    }

    /** SendMessageBatch's limit: one batch per queue call. */
    private static final int BATCH = 10;

    /**
     * A page in calls of one batch each: the queue adapter's timeout is sized for the few events of one webhook,
     * and a whole page of 100 in one call outlasts it on a busy host (the run failed though SQS had them all).
     */
    private void enqueue(List<Envelope> envelopes, Listing listing) {
        for (int from = 0; from < envelopes.size(); from += BATCH) {
            enqueueBatch(envelopes.subList(from, Math.min(from + BATCH, envelopes.size())), listing);
        }
    }

    private void enqueueBatch(List<Envelope> envelopes, Listing listing) {
        try {
            queue.sendAll(envelopes);
            listing.records += envelopes.size();
        } catch (EnvelopeQueue.EnvelopeTooLargeException tooLarge) {
            // nothing was sent: send one by one, so only the oversized record is left out
            for (Envelope envelope : envelopes) {
                try {
                    queue.send(envelope);
                    listing.records++;
                } catch (EnvelopeQueue.EnvelopeTooLargeException e) {
                    listing.unreadable++;
                    LOG.warnf("reconcile: listed record %s of %s is too large for the queue", bounded(
                            envelope.headers().get(ListedEnvelope.RECORD_ID_HEADER)), envelope.system());
                }
            }
        }
    }

    private static Optional<Envelope> envelope(ReconcileJob job, ChangeMapping mapping, OutboundClient.Page page,
            int index, Instant listedAt, boolean fullSync) {
        try {
            Optional<ChangeMapping.ListedRecord> listed = mapping.listed(job.resource(), page.records().get(index));
            if (listed.isEmpty()) {
                LOG.warnf("reconcile job=%s: a listed record names no id or updated-at (mapping %s, fetched section)",
                        job.label(), job.system());
                return Optional.empty();
            }
            Instant updatedAt = listed.get().updatedAt();
            return Optional.of(ListedEnvelope.of(job, listed.get().recordId(), updatedAt,
                    FieldType.formatInstant(updatedAt), listedAt,
                    page.recordsJson().get(index).getBytes(StandardCharsets.UTF_8), fullSync));
        } catch (MappingException | IllegalArgumentException e) {
            LOG.warnf("reconcile job=%s: a listed record could not be read: %s", job.label(), bounded(e.getMessage()));
            return Optional.empty();
        }
    }

    private static String reasonOf(OutboundResponse response) {
        if (response instanceof OutboundResponse.Rejected rejected) {
            return ": " + rejected.reason();
        }
        if (response instanceof OutboundResponse.Unavailable unavailable) {
            return ": " + unavailable.reason();
        }
        return "";
    }

    /** Text from a response or an exception, bounded and without control characters, before it is logged or stored. */
    static String bounded(String text) {
        if (text == null) {
            return "";
        }
        String clean = text.replaceAll("[\\p{Cntrl}]", " ");
        return clean.length() > MAX_REASON ? clean.substring(0, MAX_REASON) + "…" : clean;
    }
}
