package io.loopfree.sync.domain.state;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One record's sync state: for each system, the last known state there; the canonical unified fields every system
 * converges to; the system that first reported the record ({@code origin}, the owner under record-level
 * ownership). {@code version} counts the writes of this item (0: not stored yet); every write is conditional on
 * the version it read (optimistic concurrency).
 * <p>
 * {@code writing}: the apply that stored this version is sending its writes (null: nobody is). The record's other
 * changes wait for it, so that a write planned from an older version never lands after a newer decision, and the
 * target's state always records where our write landed before the next change is judged against it.
 */
public record RecordState(RecordKey key, long version, Instant createdAt, String origin,
        Map<String, SystemState> systems, CanonicalFields canonical, boolean deleted, Writing writing) {

    /** The event whose apply is sending writes, and until when its lease holds (then it is presumed dead). */
    public record Writing(String event, Instant until) {
    }

    public RecordState {
        systems = Map.copyOf(systems);
        canonical = canonical == null ? CanonicalFields.EMPTY : canonical;
    }

    public RecordState(RecordKey key, long version, Instant createdAt, String origin, Map<String, SystemState> systems,
            CanonicalFields canonical, boolean deleted) {
        this(key, version, createdAt, origin, systems, canonical, deleted, null);
    }

    public static RecordState absent(RecordKey key) {
        return new RecordState(key, 0, null, null, Map.of(), CanonicalFields.EMPTY, false);
    }

    /** Some apply is sending its writes now (its lease holds). */
    public boolean writingAt(Instant now) {
        return writing != null && writing.until().isAfter(now);
    }

    /** Another event's apply is sending its writes now (its lease holds); a redelivery of that event is not kept out. */
    public boolean busyFor(String event, Instant now) {
        return writingAt(now) && !writing.event().equals(event);
    }

    /** This version, marked as sending the writes of {@code event} until {@code until}. */
    public RecordState writing(String event, Instant until) {
        return new RecordState(key, version, createdAt, origin, systems, canonical, deleted, new Writing(event, until));
    }

    public boolean exists() {
        return version > 0;
    }

    public Optional<SystemState> system(String system) {
        return Optional.ofNullable(systems.get(system));
    }

    /** The next version of this state with {@code system}'s entry replaced (the first system to report it is its origin). */
    public RecordState with(String system, SystemState state, Instant now) {
        Map<String, SystemState> next = new TreeMap<>(systems);
        next.put(system, state);
        return new RecordState(key, version + 1, createdAt == null ? now : createdAt, origin == null ? system : origin,
                next, canonical, deleted, null);
    }

    /** The same version with other canonical fields (the ownership rule's result for the change being applied). */
    public RecordState withCanonical(CanonicalFields canonical, boolean deleted) {
        return new RecordState(key, version, createdAt, origin, systems, canonical, deleted, writing);
    }
}
