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
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.change.Change;
import io.loopfree.sync.domain.change.ChangeMapping;
import io.loopfree.sync.domain.change.FieldType;
import io.loopfree.sync.domain.change.MappingException;
import io.loopfree.sync.domain.echo.EchoRules;
import io.loopfree.sync.domain.echo.Identities;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.domain.link.LinkKey;
import io.loopfree.sync.domain.outbound.OutboundProfile;
import io.loopfree.sync.domain.outbound.OutboundProfile.Concurrency;
import io.loopfree.sync.domain.outbound.OutboundResponse;
import io.loopfree.sync.domain.outbound.OutboundTarget;
import io.loopfree.sync.domain.outbound.OutboundWrite;
import io.loopfree.sync.domain.outbound.PendingWrite;
import io.loopfree.sync.domain.reconcile.ListedEnvelope;
import io.loopfree.sync.domain.reconcile.ReconcileJob;
import io.loopfree.sync.domain.state.RecordState;
import io.loopfree.sync.domain.state.SystemState;
import io.loopfree.sync.domain.text.Untrusted;
import io.loopfree.sync.domain.valve.BreakerRules;
import io.loopfree.sync.ports.EnvelopeQueue;
import io.loopfree.sync.ports.MappingRepository;
import io.loopfree.sync.ports.OutboundClient;
import io.loopfree.sync.ports.OutboundProfileRepository;
import io.loopfree.sync.ports.SyncLedger;

/**
 * Sends pending writes, one call each, inside the caller's deadline, and says what became of each: written (with
 * the target's state afterwards and its id to link), to retry, deferred, or given up. A write to an account whose
 * breaker is open or that is paused is not sent (deferred: it waits in the outbox for the account's drain); a
 * client error is final and never retried; a 429 opens the account's breaker and waits (never retried blindly); a 5xx or a timeout is retried by the client within the deadline,
 * then again by a later delivery, until {@code sync.fan-out.max-attempts}.
 * <p>
 * An update never overwrites a value a person set in the target after we last saw the record: it is conditional
 * there (a 412 answers that the record changed) or, where the API has no precondition, preceded by a guard read.
 * A value found there that we have not seen, in a field the write would overwrite, ends the write {@link
 * SyncLedger.Superseded}, and the record found goes on the queue as that system's change: decided again by the
 * usual rules, never a ping-pong (docs/outbound.md, "Concurrent edits").
 */
@ApplicationScoped
public class OutboundSender {

    private static final Logger LOG = Logger.getLogger(OutboundSender.class);

    /** The actor id our own writes carry in the sync state. */
    public static final String SYNC_ENGINE = "sync_engine";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final OutboundClient client;
    private final OutboundProfileRepository profiles;
    private final SyncMetrics metrics;
    private final Clock clock;
    private final int maxAttempts;
    private final Optional<Guards> guards;

    /**
     * What a guarded write needs besides the targets' profiles (their concurrency): their mappings (to read the
     * record found there as a change) and the queue (where that change goes, to be decided like any other).
     */
    private record Guards(MappingRepository mappings, EnvelopeQueue queue, Identities identities, String changeAgent) {
    }

    /** Unguarded: every write is sent as it is (benchmarks and tests of the sending alone). */
    public OutboundSender(OutboundClient client, OutboundProfileRepository profiles, SyncMetrics metrics, Clock clock,
            SyncConfig config) {
        this.client = client;
        this.profiles = profiles;
        this.metrics = metrics;
        this.clock = clock;
        this.maxAttempts = Math.max(1, config.fanOut().maxAttempts());
        this.guards = Optional.empty();
    }

    @Inject
    public OutboundSender(OutboundClient client, OutboundProfileRepository profiles, SyncMetrics metrics, Clock clock,
            SyncConfig config, MappingRepository mappings, EnvelopeQueue queue) {
        this.client = client;
        this.profiles = profiles;
        this.metrics = metrics;
        this.clock = clock;
        this.maxAttempts = Math.max(1, config.fanOut().maxAttempts());
        this.guards = Optional.of(new Guards(mappings, queue, new Identities(config.identities()),
                config.echo().changeAgent()));
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
        // an update of a record we have seen there must not overwrite what a person set there since (a create has
        // nothing to overwrite; a delete is not guarded)
        Optional<SystemState> seen = write.action() == OutboundWrite.Action.UPSERT
                ? record.system(target).filter(s -> s.recordId() != null && !s.deleted()) : Optional.empty();
        Concurrency concurrency = seen.isPresent() ? concurrency(write) : Concurrency.NONE;
        if (concurrency == Concurrency.GUARD_READ) {
            Look look = look(pending, seen.get(), deadline, valves);
            if (look instanceof Newer newer) {
                return supersede(pending, newer, "a guard read found");
            }
            if (look instanceof Unread unread && !(unread.response() instanceof OutboundResponse.NotFound)
                    && !(unread.response() instanceof OutboundResponse.Rejected)) {
                return result(pending, record, unread.response()); // rate limited or unavailable: as a write would be
            }
            // not found (the write says so too), or not readable: written unguarded, as before
        }
        Optional<Instant> lastSeen = concurrency == Concurrency.CONDITIONAL ? seen.map(SystemState::occurredAt)
                : Optional.empty();
        OutboundResponse response = call(write, lastSeen, deadline, valves);
        if (response instanceof OutboundResponse.PreconditionFailed && lastSeen.isPresent()) {
            Look look = look(pending, seen.orElseThrow(), deadline, valves);
            if (look instanceof Newer newer) {
                return supersede(pending, newer, "HTTP 412: found");
            }
            if (look instanceof Same same) {
                // changed there, but not in what we write (another field, or a time we did not know): once more,
                // conditional on what we just read
                response = call(write, Optional.of(same.updatedAt()), deadline, valves);
                if (response instanceof OutboundResponse.PreconditionFailed) {
                    return retryOrGiveUp(pending, "HTTP 412 twice: the record keeps changing in " + target);
                }
            } else {
                response = ((Unread) look).response();
                if (response instanceof OutboundResponse.NotFound) {
                    return retryOrGiveUp(pending, "HTTP 412, then the record is not in " + target);
                }
                if (response instanceof OutboundResponse.Rejected rejected && rejected.status() == 0) {
                    // never overwritten blindly: visible in the outbox, sent again by an operator
                    return new SyncLedger.GaveUp(pending, "HTTP 412, and the record read in " + target
                            + " cannot be read with its mapping (fetched section): " + rejected.reason());
                }
            }
        }
        return result(pending, record, response);
    }

    /** One write call: the account's valves observe its answer; logged with its outcome. */
    private OutboundResponse call(OutboundWrite write, Optional<Instant> lastSeen, Instant deadline,
            SafetyValves.Session valves) {
        Instant started = clock.instant();
        OutboundResponse response = client.write(write, lastSeen, deadline);
        valves.observeWrite(write.target(), response, write.action() == OutboundWrite.Action.DELETE);
        long latencyMs = java.time.Duration.between(started, clock.instant()).toMillis();
        OutboundLogFields.put(write, response, latencyMs);
        try {
            LOG.infof("outbound system=%s account=%s record=%s/%s action=%s status=%d result=%s latencyMs=%d",
                    write.target().system(), write.target().account(), write.resource(), write.canonicalKey(),
                    write.action(), response.status(), response.getClass().getSimpleName(), latencyMs);
        } finally {
            OutboundLogFields.clear();
        }
        return response;
    }

    private SyncLedger.WriteResult result(PendingWrite pending, RecordState record, OutboundResponse response) {
        OutboundWrite write = pending.write();
        String target = write.target().system();
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
        if (response instanceof OutboundResponse.PreconditionFailed) {
            return retryOrGiveUp(pending, "HTTP 412: the record changed in " + target);
        }
        if (response instanceof OutboundResponse.RateLimited limited) {
            // the account's breaker is open now (observe): the write waits for it, never retried blindly
            return new SyncLedger.Deferred(pending, "rate limited (HTTP " + limited.status() + ")"
                    + limited.retryAt().map(at -> " until " + at).orElse(""));
        }
        OutboundResponse.Unavailable unavailable = (OutboundResponse.Unavailable) response;
        return retryOrGiveUp(pending, "unavailable (HTTP " + unavailable.status() + "): " + unavailable.reason());
    }

    private SyncLedger.WriteResult retryOrGiveUp(PendingWrite pending, String reason) {
        return pending.attempts() + 1 >= maxAttempts
                ? new SyncLedger.GaveUp(pending, reason + "; gave up after " + (pending.attempts() + 1) + " attempts")
                : new SyncLedger.WillRetry(pending, reason);
    }

    private Concurrency concurrency(OutboundWrite write) {
        return guards.isEmpty() ? Concurrency.NONE : profiles.find(write.target().profile())
                .map(OutboundProfile::concurrency).orElse(Concurrency.NONE);
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

    /** What the record there holds, judged against what we last saw of it and what this write would overwrite. */
    private sealed interface Look {
    }

    /**
     * A value set there since we saw it, in a field this write would overwrite, by someone other than us: the write
     * must not go; {@code change} is that record, as its system's change.
     */
    private record Newer(Envelope change, Instant updatedAt) implements Look {
    }

    /** Nothing of what we write changed there: write, conditional on {@code updatedAt}. */
    private record Same(Instant updatedAt) implements Look {
    }

    /** The read failed, or the mapping cannot read the record: {@code response} says how. */
    private record Unread(OutboundResponse response) implements Look {
    }

    /**
     * Reads the record there through the profile's {@code get} and reads it with the system's mapping as the
     * reconciler reads a listed record ({@code fetched} section): the same change the reconciler would enqueue.
     */
    private Look look(PendingWrite pending, SystemState seen, Instant deadline, SafetyValves.Session valves) {
        OutboundWrite write = pending.write();
        OutboundTarget target = write.target();
        Guards with = guards.orElseThrow();
        OutboundResponse response = client.fetch(target, write.resource(), seen.recordId(), deadline);
        valves.observe(target, response);
        if (!(response instanceof OutboundResponse.Done done)) {
            return new Unread(response);
        }
        Map<String, Object> body = done.body() == null ? Map.of() : done.body();
        try {
            Optional<ChangeMapping> mapping = with.mappings().find(target.system());
            Optional<ChangeMapping.ListedRecord> listed = mapping.flatMap(m -> m.listed(write.resource(), body));
            if (listed.isEmpty()) {
                LOG.warnf("outbound system=%s record=%s/%s: the record read there names no id or updated-at (mapping"
                        + " %s, fetched section): written without a guard", target.system(), write.resource(),
                        write.canonicalKey(), target.system());
                return new Unread(new OutboundResponse.Rejected(0, "not readable", Map.of()));
            }
            Instant updatedAt = listed.get().updatedAt();
            Envelope envelope = ListedEnvelope.of(new ReconcileJob(target.tenant(), target.system(), target.account(),
                    write.resource()), listed.get().recordId(), updatedAt, FieldType.formatInstant(updatedAt),
                    clock.instant(), JSON.writeValueAsBytes(body));
            if (!(mapping.get().normalize(envelope) instanceof ChangeMapping.Mapped mapped)) {
                return new Unread(new OutboundResponse.Rejected(0, "ignored by the mapping", Map.of()));
            }
            Change found = mapped.change();
            Map<String, Object> there = found.fields().values();
            Map<String, Object> known = seen.fields().values();
            boolean changed = write.fields().keySet().stream()
                    .anyMatch(field -> there.containsKey(field) && !Objects.equals(there.get(field), known.get(field)));
            boolean ours = EchoRules.echoReason(found, with.identities(), with.changeAgent()).isPresent();
            return changed && !ours && !found.occurredAt().isBefore(seen.occurredAt())
                    ? new Newer(envelope, updatedAt) : new Same(updatedAt);
        } catch (MappingException | IllegalArgumentException | java.io.IOException e) {
            LOG.warnf("outbound system=%s record=%s/%s: the record read there is not readable (%s): written without"
                    + " a guard", target.system(), write.resource(), write.canonicalKey(), e.getClass().getSimpleName());
            return new Unread(new OutboundResponse.Rejected(0, "not readable", Map.of()));
        }
    }

    /**
     * The write ends superseded; what was found there goes on the processing queue as that system's change, decided
     * like any (dedup, echo, staleness, ownership) and written to the others if it wins. If it cannot be enqueued,
     * the write stays pending and is tried again (nothing is lost either way).
     */
    private SyncLedger.WriteResult supersede(PendingWrite pending, Newer newer, String how) {
        OutboundWrite write = pending.write();
        try {
            guards.orElseThrow().queue().send(newer.change());
        } catch (RuntimeException e) {
            return new SyncLedger.WillRetry(pending, how + " a newer value in " + write.target().system()
                    + ", which could not be enqueued (" + e.getClass().getSimpleName() + ")");
        }
        LOG.infof("outbound system=%s account=%s record=%s/%s superseded: %s a value set there at %s, after we last"
                + " saw the record; it is decided again as that system's change", write.target().system(),
                write.target().account(), write.resource(), write.canonicalKey(), how,
                FieldType.formatInstant(newer.updatedAt()));
        return new SyncLedger.Superseded(pending, how + " a newer value in " + write.target().system() + " (updated "
                + FieldType.formatInstant(newer.updatedAt()) + ")");
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
