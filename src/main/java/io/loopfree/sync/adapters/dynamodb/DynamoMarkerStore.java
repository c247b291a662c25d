package io.loopfree.sync.adapters.dynamodb;

import jakarta.enterprise.context.ApplicationScoped;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.marker.Marker;
import io.loopfree.sync.ports.MarkerStore;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Markers in the events table (TTL on {@code expiresAt}); one PutItem each, the newest replacing an older one. */
@ApplicationScoped
public class DynamoMarkerStore implements MarkerStore {

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoMarkerStore(DynamoDbClient dynamo, SyncConfig config) {
        this.dynamo = dynamo;
        this.table = config.tables().events();
    }

    @Override
    public void put(Marker marker) {
        dynamo.putItem(b -> b.tableName(table).item(MarkerItemMapper.toItem(marker)));
    }
}
