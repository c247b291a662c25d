package io.loopfree.sync.ports;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import io.loopfree.sync.domain.dedup.Claim;
import io.loopfree.sync.domain.dedup.DedupEntry;
import io.loopfree.sync.domain.dedup.EventKey;
import io.loopfree.sync.domain.marker.Marker;
import io.loopfree.sync.domain.marker.MarkerKey;
import io.loopfree.sync.domain.state.RecordKey;
import io.loopfree.sync.domain.state.RecordState;

/**
 * The processor's durable bookkeeping for one event: its dedup entry, the record's correlation marker, the
 * record's sync state. Shaped for the request budget: one read of all three, then one decisive conditional write
 * that records the event's fate together with its effect (so an event is never marked done without its effect,
 * nor its effect stored twice).
 */
public interface SyncLedger {

    /** Everything the layers need, read in one request (strongly consistent). */
    Snapshot load(EventKey event, MarkerKey marker, RecordKey record, Instant now);

    /**
     * @param dedup  the event's live dedup entry; empty when absent or past its TTL
     * @param marker the record's live marker; empty when absent or expired (even if not yet deleted)
     * @param record the record's sync state ({@link RecordState#absent} when none)
     */
    record Snapshot(Optional<DedupEntry> dedup, Optional<Marker> marker, RecordState record) {
    }

    /** Marks the event done with a drop outcome, unless another delivery got there first. */
    Commit recordDrop(EventKey event, String outcome, Instant now, Duration ttl);

    /** Consumes the marker (only if still live and the same one) and marks the event done as its echo, atomically. */
    Commit consumeMarker(EventKey event, Marker marker, String outcome, Instant now, Duration ttl);

    /**
     * Stores the record's next state (conditional on the version it was read at) and claims the event as in
     * progress under {@code claim}, atomically.
     */
    Commit apply(EventKey event, RecordState next, Claim claim, String recordLabel, Instant now, Duration ttl);

    /** In progress → done, if we still hold the claim (a takeover after our lease ran out wins otherwise). */
    boolean finish(EventKey event, Claim claim, String outcome, Instant now);

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
