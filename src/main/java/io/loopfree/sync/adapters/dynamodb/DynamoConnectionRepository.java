package io.loopfree.sync.adapters.dynamodb;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.connection.Connection;
import io.loopfree.sync.domain.connection.ConnectionSystem;
import io.loopfree.sync.domain.connection.InvalidConnectionException;
import io.loopfree.sync.domain.outbound.OutboundProfile;
import io.loopfree.sync.ports.ConnectionRepository;
import io.loopfree.sync.ports.OutboundProfileRepository;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Connections from the state table ({@code pk=CONNECTIONS}, {@code sk=<tenant>#<resource>}), kept per instance for
 * {@code sync.connections.cache-ttl}: a console edit takes effect within it, and a change costs no read for it. A
 * connection whose outbound profile cannot update a record by its id is refused ({@link #requireUpdatable}).
 */
@ApplicationScoped
public class DynamoConnectionRepository implements ConnectionRepository {

    private record Cached(Optional<Connection> connection, Instant until) {
    }

    private final DynamoDbClient dynamo;
    private final OutboundProfileRepository profiles;
    private final String table;
    private final Duration ttl;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public DynamoConnectionRepository(DynamoDbClient dynamo, OutboundProfileRepository profiles, SyncConfig config,
            Clock clock) {
        this.dynamo = dynamo;
        this.profiles = profiles;
        this.table = config.tables().state();
        this.ttl = config.connections().cacheTtl();
        this.clock = clock;
    }

    @Override
    public Optional<Connection> find(String tenant, String resource) {
        String key = ConnectionItemMapper.sortKey(tenant, resource);
        Instant now = clock.instant();
        Cached cached = cache.get(key);
        if (cached != null && cached.until().isAfter(now)) {
            return cached.connection();
        }
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                .key(ConnectionItemMapper.key(tenant, resource)).consistentRead(true)).item();
        Optional<Connection> connection = item == null || item.isEmpty() ? Optional.empty()
                : Optional.of(requireUpdatable(ConnectionItemMapper.fromItem(item), profiles));
        if (cache.size() > 10_000) {
            cache.clear(); // bounded: tenants × resources seen by one instance
        }
        cache.put(key, new Cached(connection, now.plus(ttl)));
        return connection;
    }

    @Override
    public List<Connection> all(java.util.function.Consumer<String> invalid) {
        List<Connection> connections = new ArrayList<>();
        dynamo.queryPaginator(b -> b.tableName(table).consistentRead(true)
                .keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(ConnectionItemMapper.PK_CONNECTIONS))))
                .items().forEach(item -> {
                    try {
                        connections.add(requireUpdatable(ConnectionItemMapper.fromItem(item), profiles));
                    } catch (InvalidConnectionException | IllegalArgumentException | NullPointerException e) {
                        AttributeValue sk = item.get("sk");
                        invalid.accept((sk == null ? "?" : sk.s()) + ": " + e.getMessage());
                    }
                });
        return connections;
    }

    /**
     * Refuses a connection that writes through an outbound profile without {@code update}: every system of a
     * connection is written to (a field's direction stops one field, never the system), and a record created there
     * by a person is known to us by its id only, so an upsert by our external id would create a second record. A
     * profile that does not exist is left to the write that needs it, as before.
     *
     * @throws InvalidConnectionException naming the connection, the system and the profile's file
     */
    public static Connection requireUpdatable(Connection connection, OutboundProfileRepository profiles) {
        for (ConnectionSystem system : connection.systems()) {
            String name = system.target().profile();
            Optional<OutboundProfile> profile;
            try {
                profile = profiles.find(name);
            } catch (IllegalArgumentException e) {
                throw new InvalidConnectionException("connection " + connection.tenant() + "/" + connection.resource()
                        + ": system " + system.system() + ": " + e.getMessage(), e);
            }
            if (profile.isPresent() && !profile.get().updatesKnownRecords()) {
                throw new InvalidConnectionException("connection " + connection.tenant() + "/" + connection.resource()
                        + ": system " + system.system() + " is written through outbound profile " + profiles.source(name)
                        + ", which has no \"update\" request (update by id): a record created there by a person is"
                        + " known to us by its id only, and an upsert by our external id would create a second record."
                        + " Add \"update\" to the profile (docs/outbound.md, 'The app contract')");
            }
        }
        return connection;
    }
}
