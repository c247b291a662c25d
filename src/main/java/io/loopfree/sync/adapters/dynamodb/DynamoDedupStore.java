package io.loopfree.sync.adapters.dynamodb;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.dedup.DedupResult;
import io.loopfree.sync.domain.dedup.EventKey;
import io.loopfree.sync.ports.DedupStore;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * Dedup by one conditional PutItem. The condition also accepts an item whose TTL has passed, because DynamoDB
 * deletes expired items lazily (up to days later); on conflict the old item comes back in the same call.
 */
@ApplicationScoped
public class DynamoDedupStore implements DedupStore {

    private static final String CLAIM_CONDITION = "attribute_not_exists(#pk) OR #expiresAt <= :now";

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDedupStore(DynamoDbClient dynamo, SyncConfig config) {
        this.dynamo = dynamo;
        this.table = config.tables().events();
    }

    @Override
    public DedupResult claim(EventKey key, Instant now, Duration ttl) {
        Instant expiresAt = now.plus(ttl);
        PutItemRequest put = PutItemRequest.builder()
                .tableName(table)
                .item(DedupItemMapper.toItem(key, now, expiresAt))
                .conditionExpression(CLAIM_CONDITION)
                .expressionAttributeNames(Map.of("#pk", DedupItemMapper.PK, "#expiresAt", DedupItemMapper.EXPIRES_AT))
                .expressionAttributeValues(Map.of(":now", DedupItemMapper.n(now.getEpochSecond())))
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
        try {
            dynamo.putItem(put);
            return new DedupResult.FirstSeen(expiresAt);
        } catch (ConditionalCheckFailedException alreadyClaimed) {
            return new DedupResult.Duplicate(DedupItemMapper.firstSeenAt(alreadyClaimed.item()));
        }
    }
}
