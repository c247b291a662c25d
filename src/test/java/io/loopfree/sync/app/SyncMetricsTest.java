package io.loopfree.sync.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.domain.valve.AccountKey;
import io.loopfree.sync.domain.valve.Breaker;
import io.loopfree.sync.ports.Metrics;

/** Which metric each decided outcome becomes, and that every dimension value comes from a bounded vocabulary. */
class SyncMetricsTest {

    record Datapoint(String name, double value, String unit, Map<String, String> dimensions) {
    }

    final List<Datapoint> emitted = new ArrayList<>();
    final SyncMetrics metrics = new SyncMetrics((Metrics) (name, value, unit, dimensions, properties)
            -> emitted.add(new Datapoint(name, value, unit, dimensions)));

    @Test
    void eachProcessorOutcomeIsCountedByOutcomeAndTheEchoLayersAppliedAndFailuresByName() {
        metrics.processed(Outcome.APPLIED, "hubspot");
        metrics.processed(new Outcome.Dropped("echo-actor"), "hubspot");
        metrics.processed(new Outcome.Dropped("echo-agent"), "hubspot");
        metrics.processed(new Outcome.Dropped("echo-marker"), "hubspot");
        metrics.processed(new Outcome.Dropped("no-change"), "hubspot");
        metrics.processed(Outcome.DUPLICATE, "hubspot");
        metrics.processed(new Outcome.Dropped("stale"), "hubspot");
        metrics.processed(new Outcome.Failed("mapping-error"), "hubspot");

        assertThat(emitted).filteredOn(d -> d.name().equals("MessagesProcessed"))
                .extracting(d -> d.dimensions().get("outcome"))
                .containsExactly("applied", "dropped:echo-actor", "dropped:echo-agent", "dropped:echo-marker",
                        "dropped:no-change", "dropped:duplicate", "dropped:stale", "failed:mapping-error");
        assertThat(emitted).filteredOn(d -> d.name().equals("EchoesDropped"))
                .extracting(d -> d.dimensions().get("layer"))
                .containsExactly("actor", "change-agent", "marker", "state-hash");
        assertThat(emitted).filteredOn(d -> d.name().equals("EventsApplied")).singleElement()
                .satisfies(d -> assertThat(d.dimensions()).containsEntry("system", "hubspot"));
        assertThat(emitted).filteredOn(d -> d.name().equals("MessagesFailed")).singleElement()
                .satisfies(d -> assertThat(d.dimensions()).isEqualTo(Map.of("cause", "mapping-error")));
        assertThat(emitted).extracting(Datapoint::name).allMatch(SyncMetrics.NAMES::contains);
    }

    @Test
    void verificationReasonsBecomeAFixedVocabularyNeverTheirText() {
        for (String reason : List.of("signature mismatch", "stale timestamp: older than the 300 s tolerance",
                "future timestamp: ahead by more than the 300 s tolerance", "missing header: X-Hub-Signature-256 is required",
                "malformed Stripe-Signature: no t= timestamp", "client state mismatch", "no v1 signature in webhook-signature",
                "body does not match its bodySHA256 query parameter", "something new")) {
            metrics.verificationFailed("github", reason);
        }
        assertThat(emitted).extracting(d -> d.dimensions().get("reason")).containsExactly("signature-mismatch",
                "stale-timestamp", "future-timestamp", "missing-signature", "malformed", "client-state-mismatch",
                "missing-signature", "malformed", "other");
    }

    @Test
    void perAccountMetricsAreKeyedByTheAccountLabelAndTheBreakerStateIsANumber() {
        AccountKey account = new AccountKey("acme", "hubspot", "62515");
        metrics.outboundWrite(account, false);
        metrics.outboundWrite(account, true);
        metrics.rateLimited(account);
        metrics.quotaUsed(account, 0.734, "default 73/100");
        metrics.breaker(account, Breaker.State.open, "rate-limited");
        metrics.breaker(account, Breaker.State.half_open, "probe");
        metrics.breaker(account, Breaker.State.closed, "probe-succeeded");
        metrics.loopDetectorTripped(account, 251, 50);

        assertThat(emitted).allSatisfy(d -> assertThat(d.dimensions()).isEqualTo(Map.of("account", "acme#hubspot#62515")));
        assertThat(emitted).extracting(Datapoint::name).containsExactly("OutboundWrites", "OutboundWrites",
                "OutboundWriteFailures", "OutboundRateLimited", "ProviderQuotaUsed", "BreakerState", "BreakerState",
                "BreakerState", "LoopDetectorTrips");
        assertThat(emitted.get(4).value()).isEqualTo(73.4);
        assertThat(emitted.get(4).unit()).isEqualTo("Percent");
        assertThat(emitted.subList(5, 8)).extracting(Datapoint::value).containsExactly(2.0, 1.0, 0.0);
    }

    @Test
    void aReconcilerRunReportsEachJobsStatusRecordsAndWatermarkStalenessAndItsDuration() {
        Instant started = Instant.parse("2026-11-20T10:15:00Z");
        Instant now = started.plusSeconds(42);
        var completed = new ReconcilerService.JobRun("acme/app/acme/contact", "completed", Instant.EPOCH, false, false,
                2, 150, 0, started, null, null);
        var failed = new ReconcilerService.JobRun("acme/hubspot/62515/contact", "failed", Instant.EPOCH, false, false,
                0, 0, 0, started.minusSeconds(3600), "HTTP 500", null);
        var skipped = new ReconcilerService.JobRun("acme/sandbox/s1/contact", "skipped", null, false, false, 0, 0, 0,
                null, "held", null);

        metrics.reconciled(new ReconcilerService.RunSummary(started, List.of(completed, failed, skipped), List.of(),
                List.of()), now);

        assertThat(emitted).filteredOn(d -> d.name().equals("ReconciliationRuns"))
                .extracting(d -> d.dimensions().get("status")).containsExactly("completed", "failed", "skipped");
        assertThat(emitted).filteredOn(d -> d.name().equals("ReconciliationRecords")).extracting(Datapoint::value)
                .containsExactly(150.0, 0.0, 0.0);
        assertThat(emitted).filteredOn(d -> d.name().equals("WatermarkStaleness")).extracting(Datapoint::value)
                .as("now - the start of the last completed run; a job never completed has none")
                .containsExactly(42.0, 3642.0);
        assertThat(emitted).filteredOn(d -> d.name().equals("ReconciliationDuration")).singleElement()
                .satisfies(d -> assertThat(d.value()).isEqualTo(42_000.0));
    }
}
