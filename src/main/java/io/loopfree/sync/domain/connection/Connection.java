package io.loopfree.sync.domain.connection;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * For one tenant and one resource type: the systems kept in sync and the rules between them. Stored as one
 * DynamoDB item per connection ({@code CONNECTION#<tenant>#<resource>}), readable and editable in the console.
 */
public record Connection(String tenant, String resource, List<ConnectionSystem> systems, Ownership ownership,
        DeletePolicy onDelete) {

    public Connection {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(resource, "resource");
        systems = List.copyOf(systems);
        Objects.requireNonNull(ownership, "ownership");
        onDelete = onDelete == null ? DeletePolicy.hold : onDelete;
        if (ownership instanceof Ownership.ObjectLevel object && systems.stream().noneMatch(s -> s.system().equals(object.owner()))) {
            throw new IllegalArgumentException("connection " + tenant + "/" + resource + ": owner '" + object.owner()
                    + "' is not one of its systems");
        }
    }

    public Optional<ConnectionSystem> system(String system) {
        return systems.stream().filter(s -> s.system().equals(system)).findFirst();
    }

    public boolean includes(String system) {
        return system(system).isPresent();
    }
}
