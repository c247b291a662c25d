package io.loopfree.sync.domain.state;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One record's sync state: for each system, the last known state there. {@code version} counts the writes of
 * this item (0: not stored yet); every write is conditional on the version it read (optimistic concurrency).
 */
public record RecordState(RecordKey key, long version, Instant createdAt, Map<String, SystemState> systems) {

    public RecordState {
        systems = Map.copyOf(systems);
    }

    public static RecordState absent(RecordKey key) {
        return new RecordState(key, 0, null, Map.of());
    }

    public boolean exists() {
        return version > 0;
    }

    public Optional<SystemState> system(String system) {
        return Optional.ofNullable(systems.get(system));
    }

    /** The next version of this state with {@code system}'s entry replaced. */
    public RecordState with(String system, SystemState state, Instant now) {
        Map<String, SystemState> next = new TreeMap<>(systems);
        next.put(system, state);
        return new RecordState(key, version + 1, createdAt == null ? now : createdAt, next);
    }
}
