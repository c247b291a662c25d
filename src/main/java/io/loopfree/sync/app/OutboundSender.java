package io.loopfree.sync.app;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.link.LinkKey;
import io.loopfree.sync.domain.outbound.OutboundResponse;
import io.loopfree.sync.domain.outbound.OutboundWrite;
import io.loopfree.sync.domain.outbound.PendingWrite;
import io.loopfree.sync.domain.state.RecordState;
import io.loopfree.sync.domain.state.SystemState;
import io.loopfree.sync.domain.text.Untrusted;
import io.loopfree.sync.domain.valve.BreakerRules;
import io.loopfree.sync.ports.OutboundClient;
import io.loopfree.sync.ports.OutboundProfileRepository;
import io.loopfree.sync.ports.SyncLedger;

/**
 * Sends pending writes, one call each, inside the caller's deadline, and says what became of each: written (with
 * the target's state afterwards and its id to link), to retry, deferred, or given up. A write to an account whose
 * breaker is open or that is paused is not sent (deferred: it waits in the outbox for the account's drain); a
 * client error is final and never retried; a 429 opens the account's breaker and waits (never retried blindly); a 5xx or a timeout is retried by the client within the deadline,
 * then again by a later delivery, until {@code sync.fan-out.max-attempts}.
 */
@ApplicationScoped
public class OutboundSender {

    private static final Logger LOG = Logger.getLogger(OutboundSender.class);

    /** The actor id our own writes carry in the sync state. */
    public static final String SYNC_ENGINE = "sync_engine";

    private final OutboundClient client;
    private final OutboundProfileRepository profiles;
    private final SyncMetrics metrics;
    private final Clock clock;
    private final int maxAttempts;

    public OutboundSender(OutboundClient client, OutboundProfileRepository profiles, SyncMetrics metrics, Clock clock,
            SyncConfig config) {
        this.client = client;
        this.profiles = profiles;
        this.metrics = metrics;
        this.clock = clock;
        this.maxAttempts = Math.max(1, config.fanOut().maxAttempts());
    }

    /**
     * @param record the record's state the writes were planned from (their targets' states before the writes)
     * @param valves the accounts' breakers: a write to an open or paused account is not sent ({@link
     *               SyncLedger.Deferred}); every response moves them
     */
    public List<SyncLedger.WriteResult> send(List<PendingWrite> writes, RecordState record, Instant deadline,
            SafetyValves.Session valves) {
        List<SyncLedger.WriteResult> results = new ArrayList<>();
        for (PendingWrite pending : writes) {
            results.add(sendOne(pending, record, deadline, valves));
        }
        return results;
    }

    private SyncLedger.WriteResult sendOne(PendingWrite pending, RecordState record, Instant deadline,
            SafetyValves.Session valves) {
        OutboundWrite write = pending.write();
        String target = write.target().system();
        if (!clock.instant().isBefore(deadline)) {
            return new SyncLedger.WillRetry(pending, SafetyValves.NO_TIME + " in this delivery");
        }
        // before the gate: a write never sent must not take the account's probe
        Optional<String> refused = refusal(write);
        if (refused.isPresent()) {
            metrics.writeRefused(SafetyValves.key(write.target()), SyncMetrics.REFUSED_NO_UPDATE);
            LOG.warnf("outbound refused system=%s account=%s record=%s/%s: %s", target, write.target().account(),
                    write.resource(), write.canonicalKey(), refused.get());
            return new SyncLedger.GaveUp(pending, "refused: " + refused.get());
        }
        BreakerRules.Gate gate = valves.gate(write.target());
        if (gate instanceof BreakerRules.Hold hold) {
            return new SyncLedger.Deferred(pending, "waiting: account " + hold.reason()
                    + hold.until().map(until -> " until " + until).orElse(""));
        }
        Instant started = clock.instant();
        OutboundResponse response = client.write(write, deadline);
        valves.observeWrite(write.target(), response, write.action() == OutboundWrite.Action.DELETE);
        long latencyMs = java.time.Duration.between(started, clock.instant()).toMillis();
        OutboundLogFields.put(write, response, latencyMs);
        try {
            LOG.infof("outbound system=%s account=%s record=%s/%s action=%s status=%d result=%s latencyMs=%d",
                    target, write.target().account(), write.resource(), write.canonicalKey(), write.action(),
                    response.status(), response.getClass().getSimpleName(), latencyMs);
        } finally {
            OutboundLogFields.clear();
        }
        if (response instanceof OutboundResponse.Done done) {
            return written(pending, record, done.recordId(), done.updatedAt());
        }
        if (response instanceof OutboundResponse.NotFound && write.action() == OutboundWrite.Action.DELETE) {
            return written(pending, record, write.recordId(), Optional.empty()); // already gone there
        }
        if (response instanceof OutboundResponse.NotFound) {
            return new SyncLedger.GaveUp(pending, "HTTP " + response.status() + ": the record is not in " + target);
        }
        if (response instanceof OutboundResponse.Rejected rejected) {
            return new SyncLedger.GaveUp(pending, "HTTP " + rejected.status() + ": " + rejected.reason());
        }
        if (response instanceof OutboundResponse.RateLimited limited) {
            // the account's breaker is open now (observe): the write waits for it, never retried blindly
            return new SyncLedger.Deferred(pending, "rate limited (HTTP " + limited.status() + ")"
                    + limited.retryAt().map(at -> " until " + at).orElse(""));
        }
        OutboundResponse.Unavailable unavailable = (OutboundResponse.Unavailable) response;
        String reason = "unavailable (HTTP " + unavailable.status() + "): " + unavailable.reason();
        return pending.attempts() + 1 >= maxAttempts
                ? new SyncLedger.GaveUp(pending, reason + "; gave up after " + (pending.attempts() + 1) + " attempts")
                : new SyncLedger.WillRetry(pending, reason);
    }

    /**
     * The last line of defence against a second record: a record known there by its id is written by its id or not
     * at all (the connection's load refuses such a profile first: DynamoConnectionRepository). A profile that is
     * missing is the client's to report.
     */
    private Optional<String> refusal(OutboundWrite write) {
        boolean recordIdKnown = write.recordId() != null && !write.recordId().isBlank();
        if (write.action() != OutboundWrite.Action.UPSERT || !recordIdKnown) {
            return Optional.empty();
        }
        return profiles.find(write.target().profile())
                .filter(profile -> profile.upsertOperation(true).isEmpty())
                .map(profile -> profile.noUpdateReason(Untrusted.text(write.recordId())));
    }

    /**
     * The target's state once written. Our write is recorded at the time it landed there, on the provider's clock,
     * when the answer says it (the profile's {@code updatedAt}): an edit made there before it landed, which it
     * overwrote, is then judged older than what the system holds. When the answer does not say, the times stay
     * those of the system's own last change: never our clock, so that its next edit is never judged stale against
     * a clock ahead of the provider's.
     */
    private SyncLedger.Written written(PendingWrite pending, RecordState record, String answeredId,
            Optional<Instant> landedAt) {
        OutboundWrite write = pending.write();
        String system = write.target().system();
        Optional<SystemState> known = record.system(system);
        String recordId = answeredId != null ? answeredId : write.recordId();
        Instant previous = known.map(SystemState::occurredAt).orElse(Instant.EPOCH);
        Map<String, Instant> fieldTimes = new TreeMap<>(known.map(SystemState::fieldTimes).orElse(Map.of()));
        Instant occurredAt = previous;
        if (landedAt.isPresent()) {
            Instant landed = landedAt.get();
            // the fields we did not write keep the time they had, or none: a field no change ever told here has no
            // time and cannot be stale (the record's time is not a field's)
            write.fields().keySet().forEach(field -> fieldTimes.merge(field, landed,
                    (was, now) -> now.isAfter(was) ? now : was));
            occurredAt = landed.isAfter(previous) ? landed : previous;
        }
        SystemState after = new SystemState(
                recordId,
                write.target().account(),
                pending.after(),
                pending.afterHash(),
                occurredAt,
                "integration",
                SYNC_ENGINE,
                write.changeAgent(),
                null,
                write.correlationId(),
                SystemState.OUTBOUND,
                clock.instant(),
                write.action() == OutboundWrite.Action.DELETE,
                false,
                fieldTimes);
        boolean newId = recordId != null && !Objects.equals(recordId, known.map(SystemState::recordId).orElse(null));
        Optional<LinkKey> link = newId
                ? Optional.of(new LinkKey(write.target().tenant(), write.resource(), system, recordId))
                : Optional.empty();
        return new SyncLedger.Written(pending, after, link);
    }
}
