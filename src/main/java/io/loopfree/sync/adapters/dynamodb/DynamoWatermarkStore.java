package io.loopfree.sync.adapters.dynamodb;

import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.reconcile.ReconcileJob;
import io.loopfree.sync.domain.reconcile.Watermark;
import io.loopfree.sync.ports.WatermarkStore;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/** Watermarks in the state table; a save never overwrites the state of a run that started later. */
@ApplicationScoped
public class DynamoWatermarkStore implements WatermarkStore {

    // ISO-8601 UTC instants of one format compare correctly as strings.
    private static final String ONLY_IF_NEWER = "attribute_not_exists(#pk) OR #started < :started";

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoWatermarkStore(DynamoDbClient dynamo, SyncConfig config) {
        this.dynamo = dynamo;
        this.table = config.tables().state();
    }

    @Override
    public Optional<Watermark> load(ReconcileJob job) {
        GetItemResponse response = dynamo.getItem(b -> b.tableName(table)
                .key(WatermarkItemMapper.key(job))
                .consistentRead(true));
        return response.hasItem() && !response.item().isEmpty()
                ? Optional.of(WatermarkItemMapper.fromItem(job, response.item()))
                : Optional.empty();
    }

    @Override
    public boolean save(Watermark watermark) {
        try {
            dynamo.putItem(b -> b.tableName(table)
                    .item(WatermarkItemMapper.toItem(watermark))
                    .conditionExpression(ONLY_IF_NEWER)
                    .expressionAttributeNames(Map.of("#pk", WatermarkItemMapper.PK,
                            "#started", WatermarkItemMapper.LAST_RUN_STARTED_AT))
                    .expressionAttributeValues(Map.of(":started", WatermarkItemMapper.lastRunStartedAt(watermark))));
            return true;
        } catch (ConditionalCheckFailedException laterRunSaved) {
            return false;
        }
    }
}
