package io.loopfree.sync.adapters.dynamodb;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.dedup.Claim;
import io.loopfree.sync.domain.dedup.DedupEntry;
import io.loopfree.sync.domain.dedup.EventKey;
import io.loopfree.sync.domain.link.LinkKey;
import io.loopfree.sync.domain.marker.MarkedWrite;
import io.loopfree.sync.domain.marker.Marker;
import io.loopfree.sync.domain.marker.MarkerKey;
import io.loopfree.sync.domain.outbound.OutboxKey;
import io.loopfree.sync.domain.outbound.PendingWrite;
import io.loopfree.sync.domain.state.RecordKey;
import io.loopfree.sync.domain.state.RecordState;
import io.loopfree.sync.domain.valve.AccountKey;
import io.loopfree.sync.domain.valve.Breaker;
import io.loopfree.sync.domain.valve.WindowKey;
import io.loopfree.sync.ports.SyncLedger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * The processor's bookkeeping in DynamoDB, one request per step:
 * <ul>
 * <li>{@link #lookup}: one BatchGetItem (strongly consistent) of the dedup item and the record's link — and of the
 * record view when the change names its canonical key; {@link #read}: one BatchGetItem of the record's state, its
 * marker and its pending writes;</li>
 * <li>{@link #recordDrop}: one conditional PutItem of the dedup item as DONE;</li>
 * <li>{@link #consumeMarker}: one TransactWriteItems — remove the write from the marker if still live, put the
 * dedup item as DONE;</li>
 * <li>{@link #apply}: one TransactWriteItems — the record's state at the version read, the dedup item as
 * IN_PROGRESS under our claim, the pending writes and their markers;</li>
 * <li>{@link #claimWrites}: one conditional UpdateItem of the record (its {@code writing} mark);</li>
 * <li>{@link #complete}: one TransactWriteItems — outbox items removed or updated (each conditional on its token),
 * the targets' states on the record (conditional on the planned version), links, the event's fate;</li>
 * <li>{@link #release}: one conditional DeleteItem.</li>
 * </ul>
 * Every dedup write carries the claimable condition and returns the old item when it fails, so a concurrent
 * delivery learns in the same call that it is a duplicate.
 */
@ApplicationScoped
public class DynamoSyncLedger implements SyncLedger {

    private static final Logger LOG = Logger.getLogger(DynamoSyncLedger.class);
    private static final String CONDITION_FAILED = "ConditionalCheckFailed";
    private static final int BATCH_GET_ROUNDS = 5;
    private static final int COMPLETE_ROUNDS = 4;

    private final DynamoDbClient dynamo;
    private final String eventsTable;
    private final String stateTable;

    public DynamoSyncLedger(DynamoDbClient dynamo, SyncConfig config) {
        this.dynamo = dynamo;
        this.eventsTable = config.tables().events();
        this.stateTable = config.tables().state();
    }

    @Override
    public Lookup lookup(EventKey event, LinkKey link, Optional<RecordRead> knownRecord, Instant now) {
        List<Map<String, AttributeValue>> eventKeys = new ArrayList<>(List.of(DedupItemMapper.key(event)));
        List<Map<String, AttributeValue>> stateKeys = new ArrayList<>(List.of(LinkItemMapper.key(link)));
        knownRecord.ifPresent(read -> addRecordKeys(read, eventKeys, stateKeys));
        Map<String, Map<String, AttributeValue>> found = batchGet(eventKeys, stateKeys);
        return new Lookup(
                DedupItemMapper.liveEntry(found.get(id(DedupItemMapper.key(event))), now),
                LinkItemMapper.canonicalKey(found.get(id(LinkItemMapper.key(link)))),
                knownRecord.map(read -> view(read, found, now)));
    }

    @Override
    public RecordView read(RecordRead read, Instant now) {
        List<Map<String, AttributeValue>> eventKeys = new ArrayList<>();
        List<Map<String, AttributeValue>> stateKeys = new ArrayList<>();
        addRecordKeys(read, eventKeys, stateKeys);
        return view(read, batchGet(eventKeys, stateKeys), now);
    }

    @Override
    public OutboxPage outbox(String tenant, String system, String account, int limit, Optional<String> after) {
        String pk = OutboxKey.partitionKey(tenant, system, account);
        var response = dynamo.query(b -> {
            b.tableName(stateTable).consistentRead(true).limit(Math.max(1, limit))
                    .keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk)));
            after.ifPresent(sk -> b.exclusiveStartKey(Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS(sk))));
        });
        List<PendingWrite> writes = new ArrayList<>();
        response.items().stream().filter(OutboxItemMapper::isOutbox).forEach(item -> writes.add(OutboxItemMapper.fromItem(item)));
        Optional<String> next = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                ? Optional.of(response.lastEvaluatedKey().get("sk").s()) : Optional.empty();
        return new OutboxPage(writes, next);
    }

    private static void addRecordKeys(RecordRead read, List<Map<String, AttributeValue>> eventKeys,
            List<Map<String, AttributeValue>> stateKeys) {
        read.markers().forEach(marker -> eventKeys.add(MarkerItemMapper.key(marker)));
        stateKeys.add(RecordStateItemMapper.key(read.record()));
        read.outbox().forEach(key -> stateKeys.add(OutboxItemMapper.key(key)));
        // the targets' breakers and loop counters ride on the same request (no extra round trip per target)
        new java.util.LinkedHashSet<>(read.breakers()).forEach(key -> stateKeys.add(BreakerItemMapper.key(key)));
        new java.util.LinkedHashSet<>(read.counters()).forEach(key -> eventKeys.add(WriteCountItemMapper.key(key)));
    }

    private static RecordView view(RecordRead read, Map<String, Map<String, AttributeValue>> found, Instant now) {
        List<PendingWrite> pending = new ArrayList<>();
        for (OutboxKey key : read.outbox()) {
            Map<String, AttributeValue> item = found.get(id(OutboxItemMapper.key(key)));
            if (OutboxItemMapper.isOutbox(item)) {
                pending.add(OutboxItemMapper.fromItem(item));
            }
        }
        Map<String, Marker> markers = new HashMap<>();
        for (MarkerKey key : read.markers()) {
            MarkerItemMapper.liveMarker(key, found.get(id(MarkerItemMapper.key(key))), now)
                    .ifPresent(marker -> markers.put(key.system(), marker));
        }
        Map<AccountKey, Breaker> breakers = new HashMap<>();
        read.breakers().forEach(key -> breakers.put(key, BreakerItemMapper.fromItem(key,
                found.get(id(BreakerItemMapper.key(key))))));
        Map<WindowKey, WindowKey.Count> counters = new HashMap<>();
        read.counters().forEach(key -> counters.put(key, WriteCountItemMapper.fromItem(key,
                found.get(id(WriteCountItemMapper.key(key))), now)));
        return new RecordView(
                RecordStateItemMapper.fromItem(read.record(), found.get(id(RecordStateItemMapper.key(read.record())))),
                markers, pending, breakers, counters);
    }

    /** One BatchGetItem over both tables (its unprocessed keys asked again), items by their full key. */
    private Map<String, Map<String, AttributeValue>> batchGet(List<Map<String, AttributeValue>> eventKeys,
            List<Map<String, AttributeValue>> stateKeys) {
        Map<String, KeysAndAttributes> wanted = new HashMap<>();
        if (!eventKeys.isEmpty()) {
            wanted.put(eventsTable, KeysAndAttributes.builder().consistentRead(true).keys(eventKeys).build());
        }
        if (!stateKeys.isEmpty()) {
            wanted.put(stateTable, KeysAndAttributes.builder().consistentRead(true).keys(stateKeys).build());
        }
        Map<String, Map<String, AttributeValue>> found = new HashMap<>();
        for (int round = 0; !wanted.isEmpty(); round++) {
            if (round == BATCH_GET_ROUNDS) {
                throw new IllegalStateException("DynamoDB left keys unprocessed " + BATCH_GET_ROUNDS + " times");
            }
            Map<String, KeysAndAttributes> request = wanted;
            BatchGetItemResponse response = dynamo.batchGetItem(b -> b.requestItems(request));
            response.responses().values().forEach(items -> items.forEach(item -> found.put(id(item), item)));
            wanted = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
        }
        return found;
    }

    /** An item's (or key's) identity across both tables: pk, and sk where the table has one. */
    private static String id(Map<String, AttributeValue> item) {
        AttributeValue sk = item.get("sk");
        return item.get("pk").s() + (sk == null ? "" : "#SK#" + sk.s());
    }

    /** A drop that keeps no conflict: one conditional PutItem. */
    private Commit recordDropAlone(EventKey event, String outcome, Instant now, Duration ttl) {
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
    public Commit recordDrop(EventKey event, String outcome, List<io.loopfree.sync.domain.conflict.Conflict> kept,
            Instant now, Duration ttl) {
        if (kept.isEmpty()) {
            return recordDropAlone(event, outcome, now, ttl);
        }
        List<TransactWriteItem> items = new ArrayList<>();
        kept.forEach(conflict -> items.add(TransactWriteItem.builder()
                .update(ConflictItemMapper.kept(stateTable, conflict)).build()));
        items.add(TransactWriteItem.builder()
                .put(claimablePut(DedupItemMapper.done(event, outcome, now, now.plus(ttl)), now)).build());
        return transact(items, "conflicts");
    }

    @Override
    public Commit consumeMarker(EventKey event, MarkerKey marker, MarkedWrite write, boolean consume, String outcome,
            Instant now, Duration ttl) {
        if (!consume) {
            return recordDropAlone(event, outcome, now, ttl);
        }
        TransactWriteItem removeWrite = TransactWriteItem.builder().update(u -> u.tableName(eventsTable)
                .key(MarkerItemMapper.key(marker))
                .updateExpression("REMOVE #writes.#token")
                .conditionExpression(MarkerItemMapper.WRITE_LIVE)
                .expressionAttributeNames(Map.of("#writes", MarkerItemMapper.WRITES, "#token", write.token(),
                        "#expiresAt", MarkerItemMapper.EXPIRES_AT))
                .expressionAttributeValues(Map.of(":now", DedupItemMapper.n(now.getEpochSecond())))).build();
        TransactWriteItem done = TransactWriteItem.builder()
                .put(claimablePut(DedupItemMapper.done(event, outcome, now, now.plus(ttl)), now)).build();
        return transact(List.of(removeWrite, done), "marker");
    }

    @Override
    public Commit relink(EventKey event, List<LinkKey> merged, String canonicalKey, String outcome, Instant now,
            Duration ttl) {
        List<TransactWriteItem> items = new ArrayList<>();
        merged.forEach(link -> items.add(TransactWriteItem.builder().put(p -> p.tableName(stateTable)
                .item(LinkItemMapper.toItem(link, canonicalKey, now))).build()));
        items.add(TransactWriteItem.builder()
                .put(claimablePut(DedupItemMapper.done(event, outcome, now, now.plus(ttl)), now)).build());
        return transact(items, "links");
    }

    @Override
    public Commit apply(EventKey event, RecordState next, Claim claim, String recordLabel, List<PendingWrite> writes,
            List<PendingWrite> obsolete, List<Marker> markers, ConflictWrites conflicts, Instant now, Duration ttl) {
        long expected = next.version() - 1;
        Put state = Put.builder().tableName(stateTable)
                .item(RecordStateItemMapper.toItem(next, event.system(), now))
                .conditionExpression(expected == 0 ? RecordStateItemMapper.NEW_RECORD : RecordStateItemMapper.AT_VERSION)
                .expressionAttributeNames(expected == 0 ? Map.of("#pk", RecordStateItemMapper.PK)
                        : Map.of("#version", RecordStateItemMapper.VERSION))
                .expressionAttributeValues(expected == 0 ? null
                        : Map.of(":expected", AttributeValue.fromN(Long.toString(expected))))
                .build();
        List<TransactWriteItem> items = new ArrayList<>();
        items.add(TransactWriteItem.builder().put(state).build());
        // Pending writes and markers ride on the record's version condition: the record item serializes applies.
        writes.forEach(pending -> items.add(TransactWriteItem.builder()
                .put(p -> p.tableName(stateTable).item(OutboxItemMapper.toItem(pending))).build()));
        obsolete.forEach(pending -> items.add(TransactWriteItem.builder().delete(outboxDelete(pending)).build()));
        markers.forEach(marker -> items.add(TransactWriteItem.builder()
                .put(p -> p.tableName(eventsTable).item(MarkerItemMapper.toItem(marker))).build()));
        // conflicts kept or resolved by this decision: committed with it or not at all (the dedup item stays last)
        conflicts.kept().forEach(conflict -> items.add(TransactWriteItem.builder()
                .update(ConflictItemMapper.kept(stateTable, conflict)).build()));
        conflicts.resolved().forEach(resolved -> items.add(TransactWriteItem.builder()
                .update(ConflictItemMapper.resolved(stateTable, resolved.tenant(), resolved.sortKey(),
                        resolved.resolutionId(), now)).build()));
        items.add(TransactWriteItem.builder()
                .put(claimablePut(DedupItemMapper.inProgress(event, claim, recordLabel, now, now.plus(ttl)), now)).build());
        return transact(items, "record version");
    }

    @Override
    public OptionalLong claimWrites(RecordKey record, long version, String sender, Instant until, Instant now) {
        try {
            dynamo.updateItem(RecordStateItemMapper.markWriting(stateTable, record, version, sender, until, now));
            return OptionalLong.of(version + 1);
        } catch (ConditionalCheckFailedException taken) {
            return OptionalLong.empty();
        }
    }

    @Override
    public Completion complete(EventFate fate, RecordKey record, long recordVersion, List<WriteResult> results,
            List<ValveCount> valves, boolean endsWriting, Instant now, Duration ttl) {
        List<WriteResult> remaining = new ArrayList<>(results);
        EventFate pendingFate = fate;
        boolean withState = true;
        int superseded = 0;
        for (int round = 1; round <= COMPLETE_ROUNDS; round++) {
            List<TransactWriteItem> items = new ArrayList<>();
            List<Object> parts = new ArrayList<>(); // what each item stands for, to drop it if its condition fails
            for (WriteResult result : remaining) {
                items.add(outboxCompletion(result, now));
                parts.add(result);
            }
            Map<String, AttributeValue> statesSet = new LinkedHashMap<>();
            Map<String, String> stateNames = new LinkedHashMap<>();
            int index = 0;
            for (WriteResult result : remaining) {
                if (result instanceof Written written) {
                    String name = "#t" + index++;
                    stateNames.put(name, written.pending().write().target().system());
                    statesSet.put(":" + name.substring(1), RecordStateItemMapper.systemValue(written.after()));
                    written.link().ifPresent(link -> {
                        items.add(TransactWriteItem.builder().put(p -> p.tableName(stateTable)
                                .item(LinkItemMapper.toItem(link, record.canonicalKey(), now))).build());
                        parts.add("link");
                    });
                }
            }
            if (withState && (!statesSet.isEmpty() || endsWriting)) {
                items.add(TransactWriteItem.builder().update(recordStates(record, recordVersion, stateNames, statesSet,
                        endsWriting, now)).build());
                parts.add("state");
            }
            // the loop detector's counters and the breakers' held writes: unconditional ADDs, in the same transaction
            for (ValveCount valve : valves) {
                if (valve.writes() > 0) {
                    items.add(TransactWriteItem.builder().update(WriteCountItemMapper.increment(eventsTable,
                            valve.window(), valve.writes(), valve.record(), valve.expiresAt())).build());
                    parts.add("counter");
                }
                if (valve.deferred() > 0) {
                    items.add(TransactWriteItem.builder().update(heldWrites(valve.window().account(),
                            valve.deferred(), now)).build());
                    parts.add("held");
                }
            }
            if (pendingFate != null) {
                fateItem(pendingFate, now, ttl).ifPresent(items::add);
                if (!(pendingFate instanceof NoEvent)) {
                    parts.add(pendingFate);
                }
                if (pendingFate instanceof Drop drop) {
                    // the drop's conflicts ride with its fate: recorded together, or (fate refused) not at all
                    for (io.loopfree.sync.domain.conflict.Conflict conflict : drop.kept()) {
                        items.add(TransactWriteItem.builder().update(ConflictItemMapper.kept(stateTable, conflict))
                                .build());
                        parts.add("conflict");
                    }
                }
            }
            if (items.isEmpty()) {
                return new Completion(pendingFate != null, superseded, withState);
            }
            try {
                dynamo.transactWriteItems(b -> b.transactItems(items));
                return new Completion(pendingFate != null, superseded, withState || statesSet.isEmpty());
            } catch (TransactionCanceledException cancelled) {
                List<CancellationReason> reasons = cancelled.cancellationReasons();
                boolean dropped = false;
                for (int i = 0; i < reasons.size() && i < parts.size(); i++) {
                    if (!CONDITION_FAILED.equals(reasons.get(i).code())) {
                        continue;
                    }
                    Object part = parts.get(i);
                    if (part instanceof WriteResult result) {
                        remaining.remove(result);
                        superseded++;
                    } else if ("state".equals(part)) {
                        withState = false;
                    } else if (part instanceof EventFate) {
                        pendingFate = null;
                    }
                    dropped = true;
                }
                if (!dropped) {
                    LOG.debugf("complete %s: transaction cancelled (%s), round %d", record.asItemKey(),
                            cancelled.getMessage(), round);
                }
            }
        }
        throw new IllegalStateException("could not record the outbound writes of " + record.asItemKey() + " after "
                + COMPLETE_ROUNDS + " transactions");
    }

    private Update heldWrites(AccountKey account, int deferred, Instant now) {
        Map<String, String> names = new HashMap<>(BreakerItemMapper.identityNames());
        names.put("#held", BreakerItemMapper.HELD_WRITES);
        Map<String, AttributeValue> values = new HashMap<>(BreakerItemMapper.identity(account, now));
        values.put(":n", AttributeValue.fromN(Integer.toString(deferred)));
        return Update.builder().tableName(stateTable).key(BreakerItemMapper.key(account))
                .updateExpression("SET " + BreakerItemMapper.SET_IDENTITY + " ADD #held :n")
                .expressionAttributeNames(names).expressionAttributeValues(values).build();
    }

    private TransactWriteItem outboxCompletion(WriteResult result, Instant now) {
        PendingWrite pending = result.pending();
        if (result instanceof Written || result instanceof Superseded) {
            return TransactWriteItem.builder().delete(outboxDelete(pending)).build();
        }
        if (result instanceof Deferred deferred) {
            // waits for its account's breaker or pause: no attempt counted
            String why = deferred.reason().length() > 500 ? deferred.reason().substring(0, 500) : deferred.reason();
            return TransactWriteItem.builder().update(u -> u.tableName(stateTable)
                    .key(OutboxItemMapper.key(pending.key()))
                    .updateExpression("SET #lastError = :error, #updatedAt = :now")
                    .conditionExpression("#token = :token")
                    .expressionAttributeNames(Map.of("#lastError", OutboxItemMapper.LAST_ERROR, "#updatedAt",
                            OutboxItemMapper.UPDATED_AT, "#token", OutboxItemMapper.TOKEN))
                    .expressionAttributeValues(Map.of(":error", AttributeValue.fromS(why),
                            ":now", AttributeValue.fromS(IsoTimestamps.format(now)),
                            ":token", AttributeValue.fromS(pending.token())))).build();
        }
        String reason = result instanceof WillRetry retry ? retry.reason() : ((GaveUp) result).reason();
        String status = result instanceof GaveUp ? PendingWrite.Status.failed.name() : pending.status().name();
        return TransactWriteItem.builder().update(u -> u.tableName(stateTable)
                .key(OutboxItemMapper.key(pending.key()))
                .updateExpression("SET #status = :status, #lastError = :error, #updatedAt = :now ADD #attempts :one")
                .conditionExpression("#token = :token")
                .expressionAttributeNames(Map.of("#status", OutboxItemMapper.STATUS, "#lastError",
                        OutboxItemMapper.LAST_ERROR, "#updatedAt", OutboxItemMapper.UPDATED_AT, "#attempts",
                        OutboxItemMapper.ATTEMPTS, "#token", OutboxItemMapper.TOKEN))
                .expressionAttributeValues(Map.of(":status", AttributeValue.fromS(status),
                        ":error", AttributeValue.fromS(reason.length() > 500 ? reason.substring(0, 500) : reason),
                        ":now", AttributeValue.fromS(IsoTimestamps.format(now)),
                        ":one", AttributeValue.fromN("1"),
                        ":token", AttributeValue.fromS(pending.token())))).build();
    }

    private Delete outboxDelete(PendingWrite pending) {
        return Delete.builder().tableName(stateTable).key(OutboxItemMapper.key(pending.key()))
                .conditionExpression("#token = :token")
                .expressionAttributeNames(Map.of("#token", OutboxItemMapper.TOKEN))
                .expressionAttributeValues(Map.of(":token", AttributeValue.fromS(pending.token())))
                .build();
    }

    private Update recordStates(RecordKey record, long recordVersion, Map<String, String> stateNames,
            Map<String, AttributeValue> states, boolean endsWriting, Instant now) {
        StringBuilder set = new StringBuilder("SET ");
        stateNames.keySet().forEach(name -> set.append("#systems.").append(name).append(" = :").append(name.substring(1))
                .append(", "));
        set.append("#updatedAt = :now ADD #version :one");
        Map<String, String> names = new HashMap<>(stateNames);
        if (endsWriting) {
            set.append(" REMOVE #writing");
            names.put("#writing", RecordStateItemMapper.WRITING);
        }
        if (!stateNames.isEmpty()) {
            names.put("#systems", RecordStateItemMapper.SYSTEMS);
        }
        names.put("#updatedAt", "updatedAt");
        names.put("#version", RecordStateItemMapper.VERSION);
        Map<String, AttributeValue> values = new HashMap<>(states);
        values.put(":now", AttributeValue.fromS(IsoTimestamps.format(now)));
        values.put(":one", AttributeValue.fromN("1"));
        values.put(":expected", AttributeValue.fromN(Long.toString(recordVersion)));
        return Update.builder().tableName(stateTable).key(RecordStateItemMapper.key(record))
                .updateExpression(set.toString())
                .conditionExpression(RecordStateItemMapper.AT_VERSION)
                .expressionAttributeNames(names)
                .expressionAttributeValues(values)
                .build();
    }

    private Optional<TransactWriteItem> fateItem(EventFate fate, Instant now, Duration ttl) {
        if (fate instanceof Finish finish) {
            return Optional.of(TransactWriteItem.builder().update(finishUpdate(finish.event(), finish.claim(),
                    finish.outcome(), now)).build());
        }
        if (fate instanceof Drop drop) {
            return Optional.of(TransactWriteItem.builder()
                    .put(claimablePut(DedupItemMapper.done(drop.event(), drop.outcome(), now, now.plus(ttl)), now))
                    .build());
        }
        if (fate instanceof Release release) {
            return Optional.of(TransactWriteItem.builder().delete(d -> d.tableName(eventsTable)
                    .key(DedupItemMapper.key(release.event()))
                    .conditionExpression(DedupItemMapper.HELD_BY_US)
                    .expressionAttributeNames(Map.of("#claimToken", DedupItemMapper.CLAIM_TOKEN))
                    .expressionAttributeValues(Map.of(":token", DedupItemMapper.s(release.claim().token())))).build());
        }
        return Optional.empty();
    }

    private Update finishUpdate(EventKey event, Claim claim, String outcome, Instant now) {
        return Update.builder().tableName(eventsTable)
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
                        ":token", DedupItemMapper.s(claim.token())))
                .build();
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
                if (reasons.stream().anyMatch(reason -> CONDITION_FAILED.equals(reason.code()))) {
                    return new Conflict(dependency + " changed");
                }
            }
            // TransactionConflict: another transaction on the same items was under way; decide again
            return new Conflict(Optional.ofNullable(cancelled.getMessage()).orElse("transaction cancelled"));
        }
    }
}
