package io.loopfree.sync.adapters.dynamodb;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.dedup.Claim;
import io.loopfree.sync.domain.dedup.DedupEntry;
import io.loopfree.sync.domain.dedup.EventKey;
import io.loopfree.sync.domain.marker.Marker;
import io.loopfree.sync.domain.marker.MarkerKey;
import io.loopfree.sync.domain.state.RecordKey;
import io.loopfree.sync.domain.state.RecordState;
import io.loopfree.sync.ports.SyncLedger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The processor's bookkeeping in DynamoDB, one request per step:
 * <ul>
 * <li>{@link #load}: one BatchGetItem (strongly consistent) of the dedup item and the marker (events table) and
 * the record's state (state table);</li>
 * <li>{@link #recordDrop}: one conditional PutItem of the dedup item as DONE;</li>
 * <li>{@link #consumeMarker}: one TransactWriteItems — delete the marker if still live and the same, put the dedup
 * item as DONE;</li>
 * <li>{@link #apply}: one TransactWriteItems — put the record's state at the version read, put the dedup item as
 * IN_PROGRESS under our claim;</li>
 * <li>{@link #finish}: one conditional UpdateItem to DONE; {@link #release}: one conditional DeleteItem.</li>
 * </ul>
 * Every dedup write carries the claimable condition and returns the old item when it fails, so a concurrent
 * delivery learns in the same call that it is a duplicate.
 */
@ApplicationScoped
public class DynamoSyncLedger implements SyncLedger {

    private static final Logger LOG = Logger.getLogger(DynamoSyncLedger.class);
    private static final String CONDITION_FAILED = "ConditionalCheckFailed";
    private static final int BATCH_GET_ROUNDS = 5;

    private final DynamoDbClient dynamo;
    private final String eventsTable;
    private final String stateTable;

    public DynamoSyncLedger(DynamoDbClient dynamo, SyncConfig config) {
        this.dynamo = dynamo;
        this.eventsTable = config.tables().events();
        this.stateTable = config.tables().state();
    }

    @Override
    public Snapshot load(EventKey event, MarkerKey marker, RecordKey record, Instant now) {
        Map<String, KeysAndAttributes> wanted = new HashMap<>();
        wanted.put(eventsTable, KeysAndAttributes.builder().consistentRead(true)
                .keys(DedupItemMapper.key(event), MarkerItemMapper.key(marker)).build());
        wanted.put(stateTable, KeysAndAttributes.builder().consistentRead(true)
                .keys(RecordStateItemMapper.key(record)).build());
        Map<String, Map<String, AttributeValue>> found = new HashMap<>();
        for (int round = 0; !wanted.isEmpty(); round++) {
            if (round == BATCH_GET_ROUNDS) {
                throw new IllegalStateException("DynamoDB left keys unprocessed " + BATCH_GET_ROUNDS + " times");
            }
            Map<String, KeysAndAttributes> request = wanted;
            BatchGetItemResponse response = dynamo.batchGetItem(b -> b.requestItems(request));
            response.responses().values().forEach(items -> items.forEach(item -> found.put(item.get("pk").s(), item)));
            wanted = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
        }
        return new Snapshot(
                DedupItemMapper.liveEntry(found.get(event.asItemKey()), now),
                MarkerItemMapper.liveMarker(marker, found.get(marker.asItemKey()), now),
                RecordStateItemMapper.fromItem(record, found.get(record.asItemKey())));
    }

    @Override
    public Commit recordDrop(EventKey event, String outcome, Instant now, Duration ttl) {
        try {
            dynamo.putItem(b -> b.tableName(eventsTable)
                    .item(DedupItemMapper.done(event, outcome, now, now.plus(ttl)))
                    .conditionExpression(DedupItemMapper.CLAIMABLE)
                    .expressionAttributeNames(DedupItemMapper.claimableNames())
                    .expressionAttributeValues(DedupItemMapper.claimableValues(now))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return COMMITTED;
        } catch (ConditionalCheckFailedException claimed) {
            return new AlreadyClaimed(DedupItemMapper.fromItem(claimed.item()));
        }
    }

    @Override
    public Commit consumeMarker(EventKey event, Marker marker, String outcome, Instant now, Duration ttl) {
        TransactWriteItem deleteMarker = TransactWriteItem.builder().delete(d -> d.tableName(eventsTable)
                .key(MarkerItemMapper.key(marker.key()))
                .conditionExpression(MarkerItemMapper.LIVE_AND_SAME)
                .expressionAttributeNames(Map.of("#expiresAt", MarkerItemMapper.EXPIRES_AT, "#token", MarkerItemMapper.TOKEN))
                .expressionAttributeValues(Map.of(":now", DedupItemMapper.n(now.getEpochSecond()),
                        ":token", AttributeValue.fromS(marker.token())))).build();
        TransactWriteItem done = TransactWriteItem.builder()
                .put(claimablePut(DedupItemMapper.done(event, outcome, now, now.plus(ttl)), now)).build();
        return transact(List.of(deleteMarker, done), "marker");
    }

    @Override
    public Commit apply(EventKey event, RecordState next, Claim claim, String recordLabel, Instant now, Duration ttl) {
        long expected = next.version() - 1;
        Put state = Put.builder().tableName(stateTable)
                .item(RecordStateItemMapper.toItem(next, event.system(), now))
                .conditionExpression(expected == 0 ? RecordStateItemMapper.NEW_RECORD : RecordStateItemMapper.AT_VERSION)
                .expressionAttributeNames(expected == 0 ? Map.of("#pk", RecordStateItemMapper.PK)
                        : Map.of("#version", RecordStateItemMapper.VERSION))
                .expressionAttributeValues(expected == 0 ? null
                        : Map.of(":expected", AttributeValue.fromN(Long.toString(expected))))
                .build();
        Put claimed = claimablePut(DedupItemMapper.inProgress(event, claim, recordLabel, now, now.plus(ttl)), now);
        return transact(List.of(TransactWriteItem.builder().put(state).build(),
                TransactWriteItem.builder().put(claimed).build()), "record version");
    }

    @Override
    public boolean finish(EventKey event, Claim claim, String outcome, Instant now) {
        try {
            dynamo.updateItem(b -> b.tableName(eventsTable)
                    .key(DedupItemMapper.key(event))
                    .updateExpression("SET #status = :done, #outcome = :outcome, #finishedAt = :finishedAt"
                            + " REMOVE #lease, #leaseIso, #claimToken")
                    .conditionExpression(DedupItemMapper.HELD_BY_US)
                    .expressionAttributeNames(Map.of("#status", DedupItemMapper.STATUS,
                            "#outcome", DedupItemMapper.OUTCOME, "#finishedAt", DedupItemMapper.FINISHED_AT,
                            "#lease", DedupItemMapper.LEASE_EXPIRES_AT, "#leaseIso", DedupItemMapper.LEASE_EXPIRES_AT_ISO,
                            "#claimToken", DedupItemMapper.CLAIM_TOKEN))
                    .expressionAttributeValues(Map.of(":done", DedupItemMapper.s(DedupEntry.Status.DONE.name()),
                            ":outcome", DedupItemMapper.s(outcome),
                            ":finishedAt", DedupItemMapper.s(IsoTimestamps.format(now)),
                            ":token", DedupItemMapper.s(claim.token()))));
            return true;
        } catch (ConditionalCheckFailedException takenOver) {
            return false;
        }
    }

    @Override
    public void release(EventKey event, Claim claim) {
        try {
            dynamo.deleteItem(b -> b.tableName(eventsTable)
                    .key(DedupItemMapper.key(event))
                    .conditionExpression(DedupItemMapper.HELD_BY_US)
                    .expressionAttributeNames(Map.of("#claimToken", DedupItemMapper.CLAIM_TOKEN))
                    .expressionAttributeValues(Map.of(":token", DedupItemMapper.s(claim.token()))));
        } catch (RuntimeException e) {
            // best effort: if this fails too, the lease runs out and the redelivery takes over
            LOG.warnf("could not release claim on %s: %s", event.asItemKey(), e.toString());
        }
    }

    private Put claimablePut(Map<String, AttributeValue> item, Instant now) {
        return Put.builder().tableName(eventsTable).item(item)
                .conditionExpression(DedupItemMapper.CLAIMABLE)
                .expressionAttributeNames(DedupItemMapper.claimableNames())
                .expressionAttributeValues(DedupItemMapper.claimableValues(now))
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
    }

    /** The last item is always the dedup put; the first is what the change depends on (marker, record version). */
    private Commit transact(List<TransactWriteItem> items, String dependency) {
        try {
            dynamo.transactWriteItems(b -> b.transactItems(items));
            return COMMITTED;
        } catch (TransactionCanceledException cancelled) {
            List<CancellationReason> reasons = cancelled.cancellationReasons();
            if (reasons.size() == items.size()) {
                CancellationReason dedup = reasons.get(items.size() - 1);
                if (CONDITION_FAILED.equals(dedup.code()) && dedup.hasItem()) {
                    return new AlreadyClaimed(DedupItemMapper.fromItem(dedup.item()));
                }
                if (CONDITION_FAILED.equals(reasons.get(0).code())) {
                    return new Conflict(dependency + " changed");
                }
            }
            // TransactionConflict: another transaction on the same items was under way; decide again
            return new Conflict(Optional.ofNullable(cancelled.getMessage()).orElse("transaction cancelled"));
        }
    }
}
