package io.loopfree.sync.app;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.loopfree.sync.domain.valve.AccountKey;
import io.loopfree.sync.domain.valve.Breaker;
import io.loopfree.sync.ports.Metrics;

/**
 * Every metric the engine emits (namespace {@value Metrics#NAMESPACE}), by name, with the dimensions that keep its
 * cardinality bounded: each datapoint is recorded under {@code [FunctionName]} (the alarms' view) and under
 * {@code [FunctionName, <its dimensions>]}. Dimension values come only from bounded sets: a configured system (a
 * profile's name; unknown ones are {@code unknown}), a configured tenant or account (bounded by the connections),
 * or a fixed vocabulary (outcome, layer, reason, cause, status). Record ids, event ids and free text are properties,
 * never dimensions. The catalogue is docs/operations.md.
 */
@ApplicationScoped
public class SyncMetrics {

    // ingress
    public static final String WEBHOOKS_RECEIVED = "WebhooksReceived";
    public static final String WEBHOOK_EVENTS_PER_ACCOUNT = "WebhookEventsPerAccount";
    public static final String CHALLENGES_ANSWERED = "ChallengesAnswered";
    public static final String VERIFICATION_FAILURES = "VerificationFailures";
    // processor
    public static final String MESSAGES_PROCESSED = "MessagesProcessed";
    public static final String EVENTS_APPLIED = "EventsApplied";
    public static final String ECHOES_DROPPED = "EchoesDropped";
    public static final String MESSAGES_FAILED = "MessagesFailed";
    public static final String MESSAGES_DEAD_LETTERED = "MessagesDeadLettered";
    public static final String CONFLICTS_KEPT = "ConflictsKept";
    // outbound, per account
    public static final String OUTBOUND_WRITES = "OutboundWrites";
    public static final String OUTBOUND_WRITE_FAILURES = "OutboundWriteFailures";
    public static final String OUTBOUND_RATE_LIMITED = "OutboundRateLimited";
    public static final String OUTBOUND_WRITES_REFUSED = "OutboundWritesRefused";
    public static final String PROVIDER_QUOTA_USED = "ProviderQuotaUsed";
    public static final String BREAKER_STATE = "BreakerState";
    public static final String LOOP_DETECTOR_TRIPS = "LoopDetectorTrips";
    // reconciler
    public static final String RECONCILIATION_RUNS = "ReconciliationRuns";
    public static final String RECONCILIATION_RECORDS = "ReconciliationRecords";
    public static final String RECONCILIATION_DURATION = "ReconciliationDuration";
    public static final String WATERMARK_STALENESS = "WatermarkStaleness";

    /** Every name above, and the loop detector's window count: what the template's alarms may watch. */
    public static final Set<String> NAMES = Set.of(WEBHOOKS_RECEIVED, WEBHOOK_EVENTS_PER_ACCOUNT, CHALLENGES_ANSWERED,
            VERIFICATION_FAILURES, MESSAGES_PROCESSED, EVENTS_APPLIED, ECHOES_DROPPED, MESSAGES_FAILED,
            MESSAGES_DEAD_LETTERED, OUTBOUND_WRITES, OUTBOUND_WRITE_FAILURES, OUTBOUND_RATE_LIMITED, PROVIDER_QUOTA_USED,
            BREAKER_STATE, LOOP_DETECTOR_TRIPS, RECONCILIATION_RUNS, RECONCILIATION_RECORDS, RECONCILIATION_DURATION,
            WATERMARK_STALENESS, SafetyValves.METRIC, OUTBOUND_WRITES_REFUSED, CONFLICTS_KEPT);

    /** The processor's layers that recognise an echo (a no-change drop is the state-hash layer's). */
    private static final Set<String> ECHO_LAYERS = Set.of("actor", "change-agent", "marker", "state-hash");

    private final Metrics metrics;

    /** Two dimensions in a fixed order (the EMF dimension set lists them so). */
    private static Map<String, String> dims(String k1, String v1, String k2, String v2) {
        Map<String, String> dimensions = new LinkedHashMap<>();
        dimensions.put(k1, v1);
        dimensions.put(k2, v2);
        return dimensions;
    }

    public SyncMetrics(Metrics metrics) {
        this.metrics = metrics;
    }

    // ------------------------------------------------------------------ ingress

    /**
     * One webhook request's outcome: {@code accepted}, {@code challenge}, or the error code it was answered with.
     *
     * @param system a configured system, or {@code unknown} (never a name from the URL that matched no profile)
     */
    public void webhook(String system, String outcome) {
        metrics.emit(WEBHOOKS_RECEIVED, 1, "Count", dims("system", system, "outcome", outcome), Map.of());
    }

    /** Verified events enqueued for one account (a tenant on a system: its secrets are configured, so bounded). */
    public void webhookEvents(String system, String tenant, int events) {
        metrics.emit(WEBHOOK_EVENTS_PER_ACCOUNT, events, "Count", dims("system", system, "tenant", tenant), Map.of());
    }

    public void challengeAnswered(String system, String challenge) {
        metrics.emit(CHALLENGES_ANSWERED, 1, "Count", Map.of("system", system), Map.of("challenge", challenge));
    }

    /** A delivery whose signature (or client state) did not verify; the reason reduced to a fixed vocabulary. */
    public void verificationFailed(String system, String reason) {
        metrics.emit(VERIFICATION_FAILURES, 1, "Count", dims("system", system, "reason", reasonKind(reason)),
                Map.of());
    }

    /** The verification reasons' fixed vocabulary (their text names headers and tolerances: a property at most). */
    static String reasonKind(String reason) {
        String r = reason == null ? "" : reason.toLowerCase(Locale.ROOT);
        if (r.contains("signature mismatch")) {
            return "signature-mismatch";
        }
        if (r.contains("client state mismatch")) {
            return "client-state-mismatch";
        }
        if (r.startsWith("stale timestamp")) {
            return "stale-timestamp";
        }
        if (r.startsWith("future timestamp")) {
            return "future-timestamp";
        }
        if (r.startsWith("missing header") || r.startsWith("no ")) {
            return "missing-signature";
        }
        if (r.startsWith("malformed") || r.startsWith("body")) {
            return "malformed";
        }
        return "other";
    }

    // ------------------------------------------------------------------ processor

    /**
     * One message's outcome: {@code MessagesProcessed} by system and outcome label (applied, dropped:duplicate,
     * dropped:stale, dropped:no-change, dropped:echo-…, failed:<cause>), and the named metric the alarms watch.
     *
     * @param system the envelope's system (only the ingress and the reconciler write the queue), {@code -} if
     *               the message could not be read
     */
    public void processed(Outcome outcome, String system) {
        metrics.emit(MESSAGES_PROCESSED, 1, "Count", dims("system", system, "outcome", outcome.label()), Map.of());
        if (outcome instanceof Outcome.Applied) {
            metrics.emit(EVENTS_APPLIED, 1, "Count", Map.of("system", system), Map.of());
        } else if (outcome instanceof Outcome.Dropped && ECHO_LAYERS.contains(outcome.layer())) {
            metrics.emit(ECHOES_DROPPED, 1, "Count", Map.of("layer", outcome.layer()), Map.of("system", system));
        } else if (outcome instanceof Outcome.Failed failed) {
            metrics.emit(MESSAGES_FAILED, 1, "Count", Map.of("cause", failed.cause()), Map.of("system", system));
        }
    }

    /**
     * A person's value that lost to another person's and was kept as a conflict item, by the rule that decided
     * ({@code last-write-wins}, {@code ownership}, {@code overwritten}): every discarded human value is explained.
     */
    public void conflictKept(String rule) {
        metrics.emit(CONFLICTS_KEPT, 1, "Count", Map.of("rule", rule), Map.of());
    }

    /** A deterministic failure sent to the dead-letter queue at once (the others arrive by the redrive policy). */
    public void deadLettered(String cause, String layer) {
        metrics.emit(MESSAGES_DEAD_LETTERED, 1, "Count", Map.of("cause", cause), Map.of("layer", layer));
    }

    // ------------------------------------------------------------------ outbound, per account

    /** One outbound write call and whether it failed (rejected, not found, unavailable: not a 429, counted apart). */
    public void outboundWrite(AccountKey account, boolean failed) {
        Map<String, String> dimensions = Map.of("account", account.label());
        metrics.emit(OUTBOUND_WRITES, 1, "Count", dimensions, Map.of());
        if (failed) {
            metrics.emit(OUTBOUND_WRITE_FAILURES, 1, "Count", dimensions, Map.of());
        }
    }

    /** {@link #writeRefused}'s cause: a known record whose profile has no update by id (a create would duplicate it). */
    public static final String REFUSED_NO_UPDATE = "no-update-by-id";

    /** A pending write never sent, because sending it could only harm the target (it is kept as {@code failed}). */
    public void writeRefused(AccountKey account, String cause) {
        metrics.emit(OUTBOUND_WRITES_REFUSED, 1, "Count", dims("account", account.label(), "cause", cause), Map.of());
    }

    /** A 429 from the account (a write, a fetch or a listing). */
    public void rateLimited(AccountKey account) {
        metrics.emit(OUTBOUND_RATE_LIMITED, 1, "Count", Map.of("account", account.label()), Map.of());
    }

    /** The share of the provider's limit used, as its rate-limit headers report it (the tightest policy). */
    public void quotaUsed(AccountKey account, double fraction, String usage) {
        metrics.emit(PROVIDER_QUOTA_USED, Math.round(fraction * 1000) / 10.0, "Percent",
                Map.of("account", account.label()), Map.of("usage", usage));
    }

    /** The account's breaker moved: 0 closed, 1 half-open (a probe), 2 open. */
    public void breaker(AccountKey account, Breaker.State state, String reason) {
        double value = state == Breaker.State.open ? 2 : state == Breaker.State.half_open ? 1 : 0;
        metrics.emit(BREAKER_STATE, value, "None", Map.of("account", account.label()),
                Map.of("state", state.name(), "reason", reason == null ? "" : reason));
    }

    public void loopDetectorTripped(AccountKey account, long writes, double baseline) {
        metrics.emit(LOOP_DETECTOR_TRIPS, 1, "Count", Map.of("account", account.label()),
                Map.of("writes", Long.toString(writes), "baseline", Double.toString(baseline)));
    }

    // ------------------------------------------------------------------ reconciler

    /** One reconciler invocation: per job its status, records and watermark staleness; the invocation's duration. */
    public void reconciled(ReconcilerService.RunSummary summary, Instant now) {
        for (ReconcilerService.JobRun job : summary.jobs()) {
            Map<String, String> properties = new LinkedHashMap<>();
            properties.put("job", job.job());
            metrics.emit(RECONCILIATION_RUNS, 1, "Count", Map.of("status", job.status().toLowerCase(Locale.ROOT)),
                    properties);
            metrics.emit(RECONCILIATION_RECORDS, job.records(), "Count", Map.of(), properties);
            if (job.lastSuccessful() != null) {
                metrics.emit(WATERMARK_STALENESS, Math.max(0, Duration.between(job.lastSuccessful(), now).toSeconds()),
                        "Seconds", Map.of(), properties);
            }
        }
        metrics.emit(RECONCILIATION_DURATION, Math.max(0, Duration.between(summary.startedAt(), now).toMillis()),
                "Milliseconds", Map.of(), Map.of("jobs", Integer.toString(summary.jobs().size()),
                        "jobNames", String.join(",", summary.jobs().stream().map(ReconcilerService.JobRun::job)
                                .limit(20).toList())));
    }
}
