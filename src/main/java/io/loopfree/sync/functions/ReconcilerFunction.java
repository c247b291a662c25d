package io.loopfree.sync.functions;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

import jakarta.inject.Inject;

import io.loopfree.sync.app.InitialMatching;
import io.loopfree.sync.app.ReconcilerService;
import io.loopfree.sync.app.SyncMetrics;
import io.loopfree.sync.domain.reconcile.MatchRun;
import io.loopfree.sync.domain.reconcile.ReconcileJob;
import io.quarkus.funqy.Funq;

/** Lambda entry for {@code QUARKUS_FUNQY_EXPORT=reconciler}: EventBridge scheduled event in, run summary out. */
public class ReconcilerFunction {

    @Inject
    ReconcilerService reconciler;

    @Inject
    SyncMetrics metrics;

    @Inject
    Clock clock;

    @Funq("reconciler")
    public ReconcileResult reconciler(ScheduledEvent event) {
        String eventId = event == null ? null : event.id();
        ReconcilerService.RunRequest request;
        try {
            request = request(event == null ? null : event.detail());
        } catch (IllegalArgumentException e) {
            // a malformed manual request is answered, not retried
            return new ReconcileResult(eventId, null, e.getMessage(), List.of(), List.of(), null);
        }
        ReconcilerService.RunSummary summary = reconciler.run(request, InvocationDeadline.current());
        metrics.reconciled(summary, clock.instant());
        return new ReconcileResult(eventId, summary.startedAt().toString(), null,
                summary.jobs().stream().map(ReconcilerFunction::job).toList(), summary.invalidConnections(),
                summary.matchings().isEmpty() ? null : summary.matchings().stream().map(ReconcilerFunction::matching)
                        .toList());
    }

    static ReconcilerService.RunRequest request(ScheduledEvent.Detail detail) {
        if (detail == null) {
            return ReconcilerService.RunRequest.SCHEDULED;
        }
        Optional<ReconcileJob> job = Optional.ofNullable(detail.job())
                .map(j -> new ReconcileJob(j.tenant(), j.system(), j.account(), j.resource()));
        if (detail.pageLimit() != null && detail.pageLimit() < 1) {
            throw new IllegalArgumentException("detail.pageLimit must be at least 1");
        }
        Optional<ReconcilerService.MatchRequest> match = Optional.ofNullable(detail.match()).map(m -> {
            if (m.tenant() == null || m.tenant().isBlank() || m.resource() == null || m.resource().isBlank()) {
                throw new IllegalArgumentException("detail.match needs a tenant and a resource");
            }
            return new ReconcilerService.MatchRequest(m.tenant(), m.resource());
        });
        return new ReconcilerService.RunRequest(
                Optional.ofNullable(detail.tenant()).filter(t -> !t.isBlank()), job, Boolean.TRUE.equals(detail.forceFullResync()),
                detail.pageLimit() == null ? OptionalInt.empty() : OptionalInt.of(detail.pageLimit()), match);
    }

    private static ReconcileResult.Matching matching(InitialMatching.Result result) {
        MatchRun.Counts c = result.counts();
        return new ReconcileResult.Matching(result.connection(), result.status(), c.indexed(), c.unkeyed(),
                c.matched(), c.unmatched(), c.ambiguous(), c.known(), result.reason());
    }

    private static ReconcileResult.Job job(ReconcilerService.JobRun run) {
        return new ReconcileResult.Job(run.job(), run.status(), text(run.since()), run.fullSync(), run.resumed(),
                run.pages(), run.records(), run.unreadable(), text(run.lastSuccessful()), run.reason(),
                run.drained() == null ? null
                        : List.of(run.drained().written(), run.drained().retrying(), run.drained().failed()));
    }

    private static String text(Instant instant) {
        return Objects.toString(instant, null);
    }
}
