package io.loopfree.sync.domain.connection;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * For one tenant and one resource type: the systems kept in sync and the rules between them. Stored as one
 * DynamoDB item per connection ({@code pk=CONNECTIONS}, {@code sk=<tenant>#<resource>}), readable and editable in
 * the console.
 *
 * @param overrides per system, mapping expressions this tenant reads differently (the cookbook's override
 *                  hierarchy: one customer's Salesforce marks our writes in a custom field, another relies on the
 *                  integration user): expression name ({@code changeAgent}, {@code actor.id}, {@code fields}…) →
 *                  JSONata, replacing the shipped mapping's in every rule
 * @param match     how records that already exist in several systems are paired at first sync (null: never)
 * @param conflictWindow how close in time (by the providers' clocks) two people's edits of one field in two systems
 *                  must be for the one that loses to be kept as a conflict ({@link #DEFAULT_CONFLICT_WINDOW})
 */
public record Connection(String tenant, String resource, List<ConnectionSystem> systems, Ownership ownership,
        DeletePolicy onDelete, Map<String, Map<String, String>> overrides, MatchRule match, Duration conflictWindow) {

    public static final Duration DEFAULT_CONFLICT_WINDOW = Duration.ofSeconds(60);

    public Connection(String tenant, String resource, List<ConnectionSystem> systems, Ownership ownership,
            DeletePolicy onDelete, Map<String, Map<String, String>> overrides, MatchRule match) {
        this(tenant, resource, systems, ownership, onDelete, overrides, match, DEFAULT_CONFLICT_WINDOW);
    }

    public Connection(String tenant, String resource, List<ConnectionSystem> systems, Ownership ownership,
            DeletePolicy onDelete, Map<String, Map<String, String>> overrides) {
        this(tenant, resource, systems, ownership, onDelete, overrides, null);
    }

    public Connection(String tenant, String resource, List<ConnectionSystem> systems, Ownership ownership,
            DeletePolicy onDelete) {
        this(tenant, resource, systems, ownership, onDelete, Map.of());
    }

    public Connection {
        overrides = overrides == null ? Map.of() : Map.copyOf(overrides);
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(resource, "resource");
        systems = List.copyOf(systems);
        Objects.requireNonNull(ownership, "ownership");
        onDelete = onDelete == null ? DeletePolicy.hold : onDelete;
        conflictWindow = conflictWindow == null ? DEFAULT_CONFLICT_WINDOW : conflictWindow;
        if (conflictWindow.isNegative()) {
            throw new IllegalArgumentException("connection " + tenant + "/" + resource + ": conflictWindow "
                    + conflictWindow + " is negative");
        }
        if (ownership instanceof Ownership.ObjectLevel object && systems.stream().noneMatch(s -> s.system().equals(object.owner()))) {
            throw new IllegalArgumentException("connection " + tenant + "/" + resource + ": owner '" + object.owner()
                    + "' is not one of its systems");
        }
        if (match != null && systems.stream().noneMatch(s -> s.system().equals(match.winner()))) {
            throw new IllegalArgumentException("connection " + tenant + "/" + resource + ": match.winner '"
                    + match.winner() + "' is not one of its systems");
        }
    }

    /** The initial-matching rule, when the connection has one. */
    public Optional<MatchRule> matchRule() {
        return Optional.ofNullable(match);
    }

    public Optional<ConnectionSystem> system(String system) {
        return systems.stream().filter(s -> s.system().equals(system)).findFirst();
    }

    /** The mapping expressions this tenant overrides for {@code system} (empty: the shipped mapping as it is). */
    public Map<String, String> overridesFor(String system) {
        return overrides.getOrDefault(system, Map.of());
    }

    public boolean includes(String system) {
        return system(system).isPresent();
    }
}
