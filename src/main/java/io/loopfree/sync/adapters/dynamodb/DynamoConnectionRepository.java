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
import io.loopfree.sync.domain.connection.InvalidConnectionException;
import io.loopfree.sync.ports.ConnectionRepository;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Connections from the state table ({@code pk=CONNECTIONS}, {@code sk=<tenant>#<resource>}), kept per instance for
 * {@code sync.connections.cache-ttl}: a console edit takes effect within it, and a change costs no read for it.
 */
@ApplicationScoped
public class DynamoConnectionRepository implements ConnectionRepository {

    private record Cached(Optional<Connection> connection, Instant until) {
    }

    private final DynamoDbClient dynamo;
    private final String table;
    private final Duration ttl;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public DynamoConnectionRepository(DynamoDbClient dynamo, SyncConfig config, Clock clock) {
        this.dynamo = dynamo;
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
                : Optional.of(ConnectionItemMapper.fromItem(item));
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
                        connections.add(ConnectionItemMapper.fromItem(item));
                    } catch (InvalidConnectionException | IllegalArgumentException | NullPointerException e) {
                        AttributeValue sk = item.get("sk");
                        invalid.accept((sk == null ? "?" : sk.s()) + ": " + e.getMessage());
                    }
                });
        return connections;
    }
}
