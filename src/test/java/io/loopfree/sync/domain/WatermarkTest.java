package io.loopfree.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.domain.connection.Connection;
import io.loopfree.sync.domain.connection.ConnectionSystem;
import io.loopfree.sync.domain.connection.Ownership;
import io.loopfree.sync.domain.outbound.OutboundTarget;
import io.loopfree.sync.domain.reconcile.JobSelection;
import io.loopfree.sync.domain.reconcile.ListedEventIds;
import io.loopfree.sync.domain.reconcile.ReconcileJob;
import io.loopfree.sync.domain.reconcile.Watermark;
import io.loopfree.sync.domain.reconcile.Watermark.Ending;
import io.loopfree.sync.domain.reconcile.Watermark.Status;

class WatermarkTest {

    final ReconcileJob job = new ReconcileJob("acme", "hubspot", "portal-42", "contact");
    final Duration skew = Duration.ofMinutes(2);
    final Instant t1 = Instant.parse("2026-11-20T10:00:00Z");
    final Instant t2 = Instant.parse("2026-11-20T10:15:00Z");
    final Instant t3 = Instant.parse("2026-11-20T10:30:00Z");

    private Watermark run(Optional<Watermark> previous, Instant at, Ending ending, Optional<String> cursor) {
        Watermark.RunPlan plan = Watermark.plan(job, previous, at, skew, false);
        return Watermark.after(plan, previous, at, ending, 10, cursor, Optional.of("why"));
    }

    @Test
    void theFirstRunIsAFullSyncAndASuccessAdvancesToTheRunsStart() {
        Watermark.RunPlan first = Watermark.plan(job, Optional.empty(), t1, skew, false);
        assertThat(first.since()).isEqualTo(Instant.EPOCH);
        assertThat(first.fullSync()).isTrue();
        Watermark done = run(Optional.empty(), t1, Ending.COMPLETED, Optional.empty());
        assertThat(done.lastSuccessful()).contains(t1);
        assertThat(done.status()).isEqualTo(Status.completed);
        assertThat(done.reason()).isEmpty();

        Watermark.RunPlan next = Watermark.plan(job, Optional.of(done), t2, skew, false);
        assertThat(next.since()).as("minus the skew buffer").isEqualTo(t1.minus(skew));
        assertThat(next.fullSync()).isFalse();
    }

    @Test
    void failedPartialAndRateLimitedRunsKeepTheWatermarkAndSayWhy() {
        Watermark done = run(Optional.empty(), t1, Ending.COMPLETED, Optional.empty());
        for (Ending ending : List.of(Ending.FAILED, Ending.PARTIAL_FAILURE, Ending.RATE_LIMITED)) {
            Watermark after = run(Optional.of(done), t2, ending, Optional.empty());
            assertThat(after.lastSuccessful()).as(ending.name()).contains(t1);
            assertThat(after.lastAttempted()).contains(t2);
            assertThat(after.reason()).contains("why");
        }
        assertThat(run(Optional.of(done), t2, Ending.RATE_LIMITED, Optional.empty()).status())
                .isEqualTo(Status.rate_limited);
    }

    @Test
    void aStoppedRunResumesOnItsPageWithItsSinceAndAdvancesToTheFirstInvocationsStart() {
        Watermark done = run(Optional.empty(), t1, Ending.COMPLETED, Optional.empty());
        Watermark stopped = run(Optional.of(done), t2, Ending.STOPPED, Optional.of("page-3"));
        assertThat(stopped.status()).isEqualTo(Status.running);
        assertThat(stopped.lastSuccessful()).contains(t1);
        assertThat(stopped.checkpoint().orElseThrow().cursor()).isEqualTo("page-3");

        Watermark.RunPlan resumed = Watermark.plan(job, Optional.of(stopped), t3, skew, false);
        assertThat(resumed.resumed()).isTrue();
        assertThat(resumed.cursor()).contains("page-3");
        assertThat(resumed.since()).isEqualTo(t1.minus(skew));
        assertThat(resumed.recordsSoFar()).isEqualTo(10);
        Watermark finished = Watermark.after(resumed, Optional.of(stopped), t3, Ending.COMPLETED, 5, Optional.empty(),
                Optional.empty());
        assertThat(finished.lastSuccessful()).as("the start of the run, not of its last invocation").contains(t2);
        assertThat(finished.recordCount()).isEqualTo(15);
        assertThat(finished.checkpoint()).isEmpty();
    }

    @Test
    void aForcedResyncIgnoresTheWatermarkAndTheCheckpoint() {
        Watermark done = run(Optional.empty(), t1, Ending.COMPLETED, Optional.empty());
        Watermark stopped = run(Optional.of(done), t2, Ending.STOPPED, Optional.of("page-3"));
        Watermark.RunPlan forced = Watermark.plan(job, Optional.of(stopped), t3, skew, true);
        assertThat(forced.since()).isEqualTo(Instant.EPOCH);
        assertThat(forced.cursor()).isEmpty();
        assertThat(forced.fullSync()).isTrue();
        assertThat(forced.runStartedAt()).isEqualTo(t3);
    }

    @Test
    void jobsComeFromConnectionsWhoseSystemsCanList() {
        Connection connection = new Connection("acme", "contact", List.of(
                system("app", "acme", "app"), system("stripe", "acct_1", "stripe-customers"),
                system("hubspot", "62515", "hubspot-contacts")), new Ownership.LastWriteWins(), null);
        List<JobSelection.Due> due = JobSelection.due(List.of(connection), p -> !p.startsWith("stripe"), Optional.empty(),
                Optional.empty(), List.of());
        assertThat(due).extracting(d -> d.job().label()).containsExactly("acme/app/acme/contact",
                "acme/hubspot/62515/contact");
        assertThat(JobSelection.due(List.of(connection), p -> true, Optional.empty(),
                Optional.of(new ReconcileJob("acme", "hubspot", "62515", "contact")), List.of()))
                .extracting(d -> d.target().profile()).containsExactly("hubspot-contacts");
        assertThat(JobSelection.due(List.of(connection), p -> true, Optional.empty(), Optional.empty(), List.of("app:*:contact")))
                .extracting(d -> d.job().system()).containsExactly("app");
        assertThatThrownBy(() -> job.matches("hubspot:contact")).hasMessageContaining("system:account:resource");
    }

    @Test
    void aListedVersionHasOneEventId() {
        Instant at = Instant.parse("2026-11-20T10:00:00.123Z");
        assertThat(ListedEventIds.of("hubspot", "42", at)).isEqualTo("reconcile:hubspot:42:" + at.toEpochMilli())
                .isEqualTo(ListedEventIds.of("hubspot", "42", at));
        assertThat(ListedEventIds.of("hubspot", "42", at.plusMillis(1))).isNotEqualTo(ListedEventIds.of("hubspot", "42", at));
        assertThat(ListedEventIds.of("hubspot", "x".repeat(300), at)).startsWith("reconcile:hubspot:sha256:").hasSizeLessThan(120);
    }

    private static ConnectionSystem system(String system, String account, String profile) {
        return new ConnectionSystem(system, account, new OutboundTarget("acme", system, account, profile, null, Map.of()),
                Map.of());
    }
}
