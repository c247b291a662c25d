package io.loopfree.sync.adapters.dynamodb;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.reconcile.ReconcileJob;
import io.loopfree.sync.domain.reconcile.Watermark;
import io.loopfree.sync.ports.WatermarkStore;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * Watermarks in the state table. A run costs two requests whatever it lists: the lease (an UpdateItem that returns
 * the previous state) and the finish (a PutItem conditional on still holding the lease).
 */
@ApplicationScoped
public class DynamoWatermarkStore implements WatermarkStore {

    // ISO-8601 UTC instants of one format compare correctly as strings.
    private static final String LEASE_FREE = "attribute_not_exists(#leaseUntil) OR #leaseUntil < :now";

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoWatermarkStore(DynamoDbClient dynamo, SyncConfig config) {
        this.dynamo = dynamo;
        this.table = config.tables().state();
    }

    @Override
    public Optional<Acquired> acquire(ReconcileJob job, String owner, Instant now, Instant leaseUntil) {
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        StringBuilder update = new StringBuilder("SET #leaseOwner = :owner, #leaseUntil = :until, #status = :running, "
                + "#lastAttempted = :now");
        names.put("#leaseOwner", WatermarkItemMapper.LEASE_OWNER);
        names.put("#leaseUntil", WatermarkItemMapper.LEASE_UNTIL);
        names.put("#status", WatermarkItemMapper.STATUS);
        names.put("#lastAttempted", WatermarkItemMapper.LAST_ATTEMPTED);
        values.put(":owner", AttributeValue.fromS(owner));
        values.put(":until", WatermarkItemMapper.time(leaseUntil));
        values.put(":running", AttributeValue.fromS(Watermark.Status.running.name()));
        values.put(":now", WatermarkItemMapper.time(now));
        int i = 0;
        for (Map.Entry<String, AttributeValue> attribute : WatermarkItemMapper.jobAttributes(job).entrySet()) {
            names.put("#a" + i, attribute.getKey());
            values.put(":a" + i, attribute.getValue());
            update.append(", #a").append(i).append(" = :a").append(i);
            i++;
        }
        try {
            UpdateItemResponse response = dynamo.updateItem(b -> b.tableName(table)
                    .key(WatermarkItemMapper.key(job))
                    .updateExpression(update.toString())
                    .conditionExpression(LEASE_FREE)
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_OLD));
            return Optional.of(new Acquired(WatermarkItemMapper.fromItem(job, response.attributes()),
                    WatermarkItemMapper.resyncRequested(response.attributes())));
        } catch (ConditionalCheckFailedException held) {
            return Optional.empty();
        }
    }

    @Override
    public boolean finish(Watermark state, String owner) {
        try {
            dynamo.putItem(b -> b.tableName(table)
                    .item(WatermarkItemMapper.toItem(state))
                    .conditionExpression("#leaseOwner = :owner")
                    .expressionAttributeNames(Map.of("#leaseOwner", WatermarkItemMapper.LEASE_OWNER))
                    .expressionAttributeValues(Map.of(":owner", AttributeValue.fromS(owner))));
            return true;
        } catch (ConditionalCheckFailedException leaseLost) {
            return false;
        }
    }

    @Override
    public Optional<Watermark> load(ReconcileJob job) {
        GetItemResponse response = dynamo.getItem(b -> b.tableName(table)
                .key(WatermarkItemMapper.key(job))
                .consistentRead(true));
        return response.hasItem() ? WatermarkItemMapper.fromItem(job, response.item()) : Optional.empty();
    }
}
