package io.loopfree.sync.ports;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.loopfree.sync.domain.marker.Marker;
import io.loopfree.sync.domain.outbound.PendingWrite;
import io.loopfree.sync.domain.reconcile.MatchPlanner;
import io.loopfree.sync.domain.reconcile.MatchRun;

/**
 * Initial matching's durable side: the connection's matching item (lease, checkpoint, counts), the run's index of
 * listed records by key (spilled to DynamoDB so that memory stays one page whatever the record count; expires by
 * the entries are removed as their groups are decided), the matches (one conditional transaction each) and the report an operator reads.
 */
public interface MatchStore {

    /** The lease is ours: the connection's matching before this invocation (empty: never ran). */
    record Acquired(Optional<MatchRun> previous) {
    }

    /** Takes the connection's matching lease unless another invocation holds a live one (one conditional write). */
    Optional<Acquired> acquire(String tenant, String resource, String owner, Instant now, Instant leaseUntil);

    /** Stores the run (checkpoint or end) and releases the lease, if {@code owner} still holds it. */
    boolean save(MatchRun run, String owner);

    /**
     * One listed record in the index.
     *
     * @param digest    {@code MatchKeys.digest} of the key: entries of one key are read back together
     * @param key       the normalized key (for the report)
     * @param updatedAt ISO-8601, as the listed-record envelope carries it
     * @param body      the record as listed (JSON), enqueued as it is if it stays unmatched
     */
    record IndexEntry(String digest, String key, String system, String recordId, String updatedAt, String body) {
    }

    /** Adds entries to the run's index (BatchWriteItem, 25 per request); writing one entry twice is harmless. */
    void index(MatchRun run, List<IndexEntry> entries, Instant expiresAt);

    /** Removes entries whose group is decided (the index shrinks as it is read; nothing is left when it ends). */
    void forget(MatchRun run, List<IndexEntry> entries);

    /** @param next the position after this page (empty: the index is read to its end) */
    record IndexPage(List<IndexEntry> entries, Optional<String> next) {
        public IndexPage {
            entries = List.copyOf(entries);
        }
    }

    /** One page of the run's index in key order, after {@code after} (a position from a previous page). */
    IndexPage indexPage(MatchRun run, Optional<String> after, int limit);

    /** The position of an entry, to resume after it. */
    String position(IndexEntry entry);

    /**
     * One transaction: the record's first state, the other records' links, the pending writes and their markers;
     * conditional on no state for the record nor for any of the paired records' own keys, and no link yet for
     * them.
     *
     * @return false when a condition failed (a live change or an earlier sync got there first): nothing written
     */
    boolean pair(MatchPlanner.Pairing pairing, List<PendingWrite> writes, List<Marker> markers, Instant now);

    /**
     * A group an operator must look at ({@code MATCHREPORT#<tenant>#<resource>}, one item per key, replaced by a
     * later run).
     *
     * @param kind    {@code ambiguous} or {@code known}
     * @param records {@code system:recordId} of the group's records
     */
    void report(MatchRun run, String kind, String key, String reason, List<String> records, Instant now);
}
