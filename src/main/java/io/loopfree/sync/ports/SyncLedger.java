package io.loopfree.sync.ports;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import io.loopfree.sync.domain.dedup.Claim;
import io.loopfree.sync.domain.dedup.DedupEntry;
import io.loopfree.sync.domain.dedup.EventKey;
import io.loopfree.sync.domain.link.LinkKey;
import io.loopfree.sync.domain.marker.MarkedWrite;
import io.loopfree.sync.domain.marker.Marker;
import io.loopfree.sync.domain.marker.MarkerKey;
import io.loopfree.sync.domain.outbound.OutboxKey;
import io.loopfree.sync.domain.outbound.PendingWrite;
import io.loopfree.sync.domain.state.RecordKey;
import io.loopfree.sync.domain.state.RecordState;
import io.loopfree.sync.domain.state.SystemState;
import io.loopfree.sync.domain.valve.AccountKey;
import io.loopfree.sync.domain.valve.Breaker;
import io.loopfree.sync.domain.valve.WindowKey;

/**
 * The processor's durable bookkeeping: dedup entries, identity links, the record's sync state, the markers of our
 * writes, the outbox of pending writes. Shaped for the request budget: at most two reads (the event and the
 * record's link, then the record with its marker and pending writes — one read when the change names its canonical
 * key), one decisive transaction that records the event's fate together with its effect (state, pending writes,
 * markers), and one transaction after the calls that completes them.
 */
public interface SyncLedger {

    /**
     * What to read about one record: its state, the markers of our writes to it (in the change's system, to
     * recognise an echo; in the other systems, to add the next writes to them), its pending writes.
     */
    record RecordRead(RecordKey record, List<MarkerKey> markers, List<OutboxKey> outbox, List<AccountKey> breakers,
            List<WindowKey> counters) {
        public RecordRead {
            markers = List.copyOf(markers);
            outbox = List.copyOf(outbox);
            breakers = List.copyOf(breakers);
            counters = List.copyOf(counters);
        }

        public RecordRead(RecordKey record, List<MarkerKey> markers, List<OutboxKey> outbox) {
            this(record, markers, outbox, List.of(), List.of());
        }
    }

    /**
     * @param record  the record's sync state ({@link RecordState#absent} when none)
     * @param markers by system, the live writes we made to the record there (systems with none are absent)
     * @param pending the record's stored outbound writes (pending, held or failed)
     * @param breakers the targets' breakers read with it ({@link Breaker#closed} when there is no item)
     * @param counters the loop detector's counters read with it (absent windows count 0)
     */
    record RecordView(RecordState record, Map<String, Marker> markers, List<PendingWrite> pending,
            Map<AccountKey, Breaker> breakers, Map<WindowKey, WindowKey.Count> counters) {
        public RecordView {
            markers = Map.copyOf(markers);
            pending = List.copyOf(pending);
            breakers = Map.copyOf(breakers);
            counters = Map.copyOf(counters);
        }

        public RecordView(RecordState record, Map<String, Marker> markers, List<PendingWrite> pending) {
            this(record, markers, pending, Map.of(), Map.of());
        }

        public Optional<Marker> marker(String system) {
            return Optional.ofNullable(markers.get(system));
        }
    }

    /**
     * @param dedup  the event's live dedup entry; empty when absent or past its TTL
     * @param linked the canonical key the link of the change's record names; empty when there is no link
     * @param record present when {@code knownRecord} was given (read in the same request)
     */
    record Lookup(Optional<DedupEntry> dedup, Optional<String> linked, Optional<RecordView> record) {
    }

    /** One strongly consistent read of the event's dedup entry and the link; and of the record, when already known. */
    Lookup lookup(EventKey event, LinkKey link, Optional<RecordRead> knownRecord, Instant now);

    /** One strongly consistent read of the record, its marker and its pending writes. */
    RecordView read(RecordRead read, Instant now);

    /**
     * One page of an account's stored outbound writes (pending, held and failed; one Query), oldest record first by
     * key: what a paused or rate-limited account, or a reconciler run, has left to send.
     *
     * @param after the previous page's {@link OutboxPage#next()}, empty for the first page
     */
    OutboxPage outbox(String tenant, String system, String account, int limit, Optional<String> after);

    record OutboxPage(List<PendingWrite> writes, Optional<String> next) {
        public OutboxPage {
            writes = List.copyOf(writes);
        }
    }

    /** Marks the event done with a drop outcome, unless another delivery got there first. */
    default Commit recordDrop(EventKey event, String outcome, Instant now, Duration ttl) {
        return recordDrop(event, outcome, List.of(), now, ttl);
    }

    /**
     * The same, with the people's values the drop discards kept as conflicts in the same transaction (a conflict
     * is never kept for a drop that was not recorded, nor lost for one that was).
     */
    Commit recordDrop(EventKey event, String outcome, List<io.loopfree.sync.domain.conflict.Conflict> kept,
            Instant now, Duration ttl);

    /**
     * What an apply's transaction also records about conflicts: the people's values it discards ({@code kept}),
     * and the operator resolutions it applies ({@code resolved}: their conflicts become {@code resolved}).
     */
    record ConflictWrites(List<io.loopfree.sync.domain.conflict.Conflict> kept,
            List<ResolvedConflict> resolved) {
        public static final ConflictWrites NONE = new ConflictWrites(List.of(), List.of());

        public ConflictWrites {
            kept = List.copyOf(kept);
            resolved = List.copyOf(resolved);
        }

        public boolean isEmpty() {
            return kept.isEmpty() && resolved.isEmpty();
        }
    }

    /** One conflict item ({@code CONFLICT#<tenant>}, {@code sortKey}) settled by resolution {@code id}. */
    record ResolvedConflict(String tenant, String sortKey, String resolutionId) {
    }

    /**
     * Marks the event done as the echo of {@code write}, atomically with removing that write from the marker (a
     * complete echo) — or leaving it for the other per-property echoes of the same write ({@code consume} false).
     */
    Commit consumeMarker(EventKey event, MarkerKey marker, MarkedWrite write, boolean consume, String outcome,
            Instant now, Duration ttl);

    /**
     * A merge: the links of the merged records re-pointed to the surviving record's canonical key, and the event
     * done, in one transaction.
     */
    Commit relink(EventKey event, List<LinkKey> merged, String canonicalKey, String outcome, Instant now, Duration ttl);

    /**
     * One transaction: the record's next state (conditional on the version it was read at), the event claimed as in
     * progress under {@code claim}, each pending write stored (replacing the record's older one for that target),
     * the outdated pending writes removed, and the markers of the writes about to be made.
     */
    default Commit apply(EventKey event, RecordState next, Claim claim, String recordLabel, List<PendingWrite> writes,
            List<PendingWrite> obsolete, List<Marker> markers, Instant now, Duration ttl) {
        return apply(event, next, claim, recordLabel, writes, obsolete, markers, ConflictWrites.NONE, now, ttl);
    }

    /**
     * Claims the sending of the record's pending writes — one sender per pending write: marks the record
     * {@link RecordState#writing() writing} by {@code sender} until {@code until}, over {@code version} (the version
     * the pending writes were read with), unless another sender's mark still holds. The apply that stores pending
     * writes holds the same mark from its own transaction; a crashed sender's mark ends at {@code until}.
     *
     * @return the record's version under the claim (what the completion is conditional on), empty when another
     *         sender holds it or the record moved on since it was read
     */
    OptionalLong claimWrites(RecordKey record, long version, String sender, Instant until, Instant now);

    /** The same transaction, with its conflicts' items ({@link ConflictWrites}). */
    Commit apply(EventKey event, RecordState next, Claim claim, String recordLabel, List<PendingWrite> writes,
            List<PendingWrite> obsolete, List<Marker> markers, ConflictWrites conflicts, Instant now, Duration ttl);

    /** What became of one pending write. */
    sealed interface WriteResult {
        PendingWrite pending();
    }

    /** Done: the write leaves the outbox; the target's state becomes {@code after}; its id is linked if new. */
    record Written(PendingWrite pending, SystemState after, Optional<LinkKey> link) implements WriteResult {
    }

    /** Will be sent again (next delivery, reconciler): attempts counted, the reason kept. */
    record WillRetry(PendingWrite pending, String reason) implements WriteResult {
    }

    /**
     * Not written, and never to be: the record changed there since we last saw it (a 412 to a conditional write, or a
     * guard read), holding a value set after the one this write carries. The write leaves the outbox (conditional on
     * its token), the target's state is left as it is; the value found there was enqueued as that system's change,
     * to be decided again like any change (and, if it wins, written to the others).
     */
    record Superseded(PendingWrite pending, String reason) implements WriteResult {
    }

    /** Given up: status {@code failed} with the reason, visible in the outbox and counted. */
    record GaveUp(PendingWrite pending, String reason) implements WriteResult {
    }

    /**
     * Not sent, or answered 429: the account's breaker is open or the account is paused. Stays pending (attempts not
     * counted, the reason kept) until the account's drain sends it.
     */
    record Deferred(PendingWrite pending, String reason) implements WriteResult {
    }

    /**
     * What the completion adds to one account's safety-valve items: its writes counted in the loop detector's window
     * ({@code writes}, a sample {@code record} kept, the counter expiring at {@code expiresAt}), and the writes that
     * waited ({@code deferred}) added to its breaker item.
     */
    record ValveCount(WindowKey window, int writes, String record, Instant expiresAt, int deferred) {
    }

    /** What to record about the event once its writes are done. */
    sealed interface EventFate {
    }

    /** In progress → done with {@code outcome}, if we still hold the claim. */
    record Finish(EventKey event, Claim claim, String outcome) implements EventFate {
    }

    /**
     * Not applied by this delivery: done with a drop outcome (claimable put, as {@link #recordDrop}), with the
     * conflicts the drop keeps.
     */
    record Drop(EventKey event, String outcome, List<io.loopfree.sync.domain.conflict.Conflict> kept)
            implements EventFate {
        public Drop {
            kept = kept == null ? List.of() : List.copyOf(kept);
        }

        public Drop(EventKey event, String outcome) {
            this(event, outcome, List.of());
        }
    }

    /** Give the claim back, so that the redelivery is processed at once and sends what is still pending. */
    record Release(EventKey event, Claim claim) implements EventFate {
    }

    /** No event (the reconciler or an operator sends pending writes). */
    record NoEvent() implements EventFate {
    }

    /**
     * One transaction (retried without the parts that no longer hold): every result (outbox item removed or
     * updated, conditional on its token), the targets' states on the record (conditional on {@code recordVersion},
     * the version the writes were planned at: a newer inbound state is never overwritten), links, the event's fate.
     *
     * @param endsWriting the apply that stored {@code recordVersion} marked the record as writing
     *                    ({@link RecordState#writing()}): the same update ends that (even with nothing written)
     * @return what could be recorded
     */
    Completion complete(EventFate fate, RecordKey record, long recordVersion, List<WriteResult> results,
            List<ValveCount> valves, boolean endsWriting, Instant now, Duration ttl);

    default Completion complete(EventFate fate, RecordKey record, long recordVersion, List<WriteResult> results,
            List<ValveCount> valves, Instant now, Duration ttl) {
        return complete(fate, record, recordVersion, results, valves, false, now, ttl);
    }

    default Completion complete(EventFate fate, RecordKey record, long recordVersion, List<WriteResult> results,
            Instant now, Duration ttl) {
        return complete(fate, record, recordVersion, results, List.of(), false, now, ttl);
    }

    /**
     * @param fateRecorded    false when another delivery took the event over (lease ran out) or finished it
     * @param superseded      results dropped because a newer write had replaced theirs in the outbox
     * @param stateRecorded   false when the record changed meanwhile (its states there were left as they are)
     */
    record Completion(boolean fateRecorded, int superseded, boolean stateRecorded) {
    }

    /** Best effort: gives the event back so that its redelivery is processed at once rather than after the lease. */
    void release(EventKey event, Claim claim);

    sealed interface Commit {
    }

    record Committed() implements Commit {
    }

    /** Another delivery of the event is done or holds it: nothing was written. */
    record AlreadyClaimed(DedupEntry existing) implements Commit {
    }

    /** The record's state or marker changed since it was read: nothing was written; re-read and decide again. */
    record Conflict(String what) implements Commit {
    }

    Commit COMMITTED = new Committed();
}
