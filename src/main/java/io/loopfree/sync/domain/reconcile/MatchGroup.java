package io.loopfree.sync.domain.reconcile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.loopfree.sync.domain.connection.Connection;
import io.loopfree.sync.domain.connection.ConnectionSystem;

/**
 * The records of a connection's systems that share one normalized match key, and what initial matching makes of
 * them: one record per system in two or more systems → a match (the rule's winner, else the first of the
 * connection's systems present, leads); one system only → unmatched (synced as a new record); two or more records
 * of one system → ambiguous: reported and skipped, never guessed.
 */
public final class MatchGroup {

    /** One listed record at matching: where it is, and its key. */
    public record Entry(String system, String recordId) {
        public Entry {
            Objects.requireNonNull(system, "system");
            Objects.requireNonNull(recordId, "recordId");
        }
    }

    public sealed interface Decision {
    }

    /** @param lead the winner's record; {@code others} one per other system */
    public record Matched(Entry lead, List<Entry> others) implements Decision {
        public Matched {
            others = List.copyOf(others);
        }
    }

    public record Unmatched(Entry entry) implements Decision {
    }

    /**
     * @param reason what an operator reads, e.g. {@code "2 records in app share the key"}
     * @param entries the group's records as far as they were kept (a huge group is cut at {@code MAX_ENTRIES})
     */
    public record Ambiguous(String reason, List<Entry> entries) implements Decision {
        public Ambiguous {
            entries = List.copyOf(entries);
        }
    }

    /** A group is kept in memory while it is decided; past this size it is ambiguous anyway. */
    public static final int MAX_ENTRIES = 50;

    private MatchGroup() {
    }

    /**
     * @param entries the group's records (at most {@link #MAX_ENTRIES}); {@code total} how many there were
     */
    public static Decision decide(Connection connection, List<Entry> entries, long total) {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("an empty group");
        }
        Map<String, List<Entry>> bySystem = new LinkedHashMap<>();
        for (Entry entry : entries) {
            bySystem.computeIfAbsent(entry.system(), s -> new ArrayList<>()).add(entry);
        }
        List<String> crowded = bySystem.entrySet().stream().filter(e -> e.getValue().size() > 1)
                .map(e -> e.getValue().size() + " records in " + e.getKey()).toList();
        if (!crowded.isEmpty() || total > entries.size()) {
            String reason = crowded.isEmpty() ? total + " records share the key" : String.join(", ", crowded)
                    + " share the key";
            return new Ambiguous(reason, entries);
        }
        if (bySystem.size() == 1) {
            return new Unmatched(entries.get(0));
        }
        String leadSystem = connection.matchRule().map(r -> r.winner()).filter(bySystem::containsKey)
                .orElseGet(() -> connection.systems().stream().map(ConnectionSystem::system)
                        .filter(bySystem::containsKey).findFirst().orElse(entries.get(0).system()));
        Entry lead = bySystem.get(leadSystem).get(0);
        List<Entry> others = entries.stream().filter(e -> !e.system().equals(leadSystem)).toList();
        return new Matched(lead, others);
    }
}
