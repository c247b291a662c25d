package io.loopfree.sync.ports;

import java.util.List;
import java.util.Optional;

import io.loopfree.sync.domain.connection.Connection;

/** Connections by (tenant, resource). Read often, changed rarely: implementations may cache briefly. */
public interface ConnectionRepository {

    /**
     * @return the connection; empty when the tenant does not sync that resource anywhere (the change is still
     *         applied to the sync state, and written nowhere)
     * @throws io.loopfree.sync.domain.connection.InvalidConnectionException when the stored item is not valid
     */
    Optional<Connection> find(String tenant, String resource);

    /**
     * Every connection (the reconciler's jobs), read fresh: one Query of their partition (paged by DynamoDB beyond
     * 1 MB). A connection that cannot be read is reported through {@code invalid} and left out.
     */
    List<Connection> all(java.util.function.Consumer<String> invalid);
}
