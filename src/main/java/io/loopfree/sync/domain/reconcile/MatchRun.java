package io.loopfree.sync.domain.reconcile;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The state of one connection's initial matching (one item per connection, {@code MATCHING#<tenant>#<resource>}):
 * which pass it is in and where to resume, what it found so far. {@code index}: the connection's systems listed
 * one after the other ({@code system} is the index in the connection's systems, {@code cursor} the next page);
 * {@code match}: the index read back in key order ({@code after}: the last group done).
 */
public record MatchRun(String tenant, String resource, String runId, Instant startedAt, Status status, Phase phase,
        int system, Optional<String> cursor, Optional<String> after, Counts counts, Optional<String> reason) {

    public enum Status {
        running, completed, failed
    }

    public enum Phase {
        index, match
    }

    /**
     * @param indexed   records listed with a key (kept in the index)
     * @param unkeyed   records listed without a key value (or deleted, or already ours): synced as they are
     * @param matched   matches written (records paired: links + the record's state + the writes to the others)
     * @param unmatched records in one system only: synced as new records
     * @param ambiguous groups reported and skipped
     * @param known     matches not written because a live change (or an earlier sync) already knew a record
     */
    public record Counts(long indexed, long unkeyed, long matched, long unmatched, long ambiguous, long known) {
        public static final Counts NONE = new Counts(0, 0, 0, 0, 0, 0);

        public Counts plus(Counts o) {
            return new Counts(indexed + o.indexed, unkeyed + o.unkeyed, matched + o.matched, unmatched + o.unmatched,
                    ambiguous + o.ambiguous, known + o.known);
        }
    }

    public MatchRun {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(phase, "phase");
        cursor = cursor == null ? Optional.empty() : cursor;
        after = after == null ? Optional.empty() : after;
        counts = counts == null ? Counts.NONE : counts;
        reason = reason == null ? Optional.empty() : reason;
    }

    public static MatchRun start(String tenant, String resource, String runId, Instant now) {
        return new MatchRun(tenant, resource, runId, now, Status.running, Phase.index, 0, Optional.empty(),
                Optional.empty(), Counts.NONE, Optional.empty());
    }

    /** Whether a run must (re)start: none yet, or an explicit request; a running or failed one resumes. */
    public static boolean due(Optional<MatchRun> previous) {
        return previous.isEmpty() || previous.get().status() != Status.completed;
    }

    public MatchRun indexing(int system, Optional<String> cursor, Counts counts) {
        return new MatchRun(tenant, resource, runId, startedAt, Status.running, Phase.index, system, cursor, after,
                counts, Optional.empty());
    }

    public MatchRun matching(Optional<String> after, Counts counts) {
        return new MatchRun(tenant, resource, runId, startedAt, Status.running, Phase.match, system,
                Optional.empty(), after, counts, Optional.empty());
    }

    public MatchRun ended(Status status, Counts counts, Optional<String> reason) {
        return new MatchRun(tenant, resource, runId, startedAt, status, phase, system, cursor, after, counts, reason);
    }

    public String label() {
        return tenant + "/" + resource;
    }
}
