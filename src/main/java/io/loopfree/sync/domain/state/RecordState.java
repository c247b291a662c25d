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
 */
public record RecordState(RecordKey key, long version, Instant createdAt, String origin,
        Map<String, SystemState> systems, CanonicalFields canonical, boolean deleted) {

    public RecordState {
        systems = Map.copyOf(systems);
        canonical = canonical == null ? CanonicalFields.EMPTY : canonical;
    }

    public static RecordState absent(RecordKey key) {
        return new RecordState(key, 0, null, null, Map.of(), CanonicalFields.EMPTY, false);
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
                next, canonical, deleted);
    }

    /** The same version with other canonical fields (the ownership rule's result for the change being applied). */
    public RecordState withCanonical(CanonicalFields canonical, boolean deleted) {
        return new RecordState(key, version, createdAt, origin, systems, canonical, deleted);
    }
}
