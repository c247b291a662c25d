package io.loopfree.sync.functions;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;

import io.loopfree.sync.adapters.dynamodb.DynamoSyncLedger;
import io.loopfree.sync.domain.dedup.Claim;
import io.loopfree.sync.domain.dedup.EventKey;
import io.loopfree.sync.domain.link.LinkKey;
import io.loopfree.sync.domain.marker.MarkedWrite;
import io.loopfree.sync.domain.marker.Marker;
import io.loopfree.sync.domain.marker.MarkerKey;
import io.loopfree.sync.domain.outbound.PendingWrite;
import io.loopfree.sync.domain.state.RecordKey;
import io.loopfree.sync.domain.state.RecordState;
import io.loopfree.sync.ports.SyncLedger;

/**
 * Test-only: the real ledger, except that the apply step throws for the event ids a test lists — a failure midway
 * (after normalize and every filter, before anything is stored) — and the completion after the outbound calls
 * throws once for the records a test lists. Passes everything else through untouched.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class FailureInjectingLedger implements SyncLedger {

    static final Set<String> FAIL_APPLY_FOR_EVENT_IDS = ConcurrentHashMap.newKeySet();

    /** Canonical keys whose completion (after the calls) throws: the function "dies" after writing. */
    static final Set<String> FAIL_COMPLETE_FOR_RECORDS = ConcurrentHashMap.newKeySet();

    @Inject
    DynamoSyncLedger real;

    @Override
    public Lookup lookup(EventKey event, LinkKey link, Optional<RecordRead> knownRecord, Instant now) {
        return real.lookup(event, link, knownRecord, now);
    }

    @Override
    public RecordView read(RecordRead read, Instant now) {
        return real.read(read, now);
    }

    @Override
    public OutboxPage outbox(String tenant, String system, String account, int limit, Optional<String> after) {
        return real.outbox(tenant, system, account, limit, after);
    }

    @Override
    public Commit consumeMarker(EventKey event, MarkerKey marker, MarkedWrite write, boolean consume, String outcome,
            Instant now, Duration ttl) {
        return real.consumeMarker(event, marker, write, consume, outcome, now, ttl);
    }

    @Override
    public Commit relink(EventKey event, List<LinkKey> merged, String canonicalKey, String outcome, Instant now,
            Duration ttl) {
        return real.relink(event, merged, canonicalKey, outcome, now, ttl);
    }

    @Override
    public OptionalLong claimWrites(RecordKey record, long version, String sender, Instant until, Instant now) {
        return real.claimWrites(record, version, sender, until, now);
    }

    @Override
    public Commit apply(EventKey event, RecordState next, Claim claim, String recordLabel, List<PendingWrite> writes,
            List<PendingWrite> obsolete, List<Marker> markers, ConflictWrites conflicts, Instant now, Duration ttl) {
        if (FAIL_APPLY_FOR_EVENT_IDS.contains(event.eventId())) {
            throw new IllegalStateException("injected failure: state table unavailable");
        }
        return real.apply(event, next, claim, recordLabel, writes, obsolete, markers, conflicts, now, ttl);
    }

    @Override
    public Commit recordDrop(EventKey event, String outcome, List<io.loopfree.sync.domain.conflict.Conflict> kept,
            Instant now, Duration ttl) {
        return real.recordDrop(event, outcome, kept, now, ttl);
    }

    @Override
    public Completion complete(EventFate fate, RecordKey record, long recordVersion, List<WriteResult> results,
            List<ValveCount> valves, boolean endsWriting, Instant now, Duration ttl) {
        if (FAIL_COMPLETE_FOR_RECORDS.remove(record.canonicalKey())) {
            throw new IllegalStateException("injected failure: the function died after its calls");
        }
        return real.complete(fate, record, recordVersion, results, valves, endsWriting, now, ttl);
    }

    @Override
    public void release(EventKey event, Claim claim) {
        real.release(event, claim);
    }
}
