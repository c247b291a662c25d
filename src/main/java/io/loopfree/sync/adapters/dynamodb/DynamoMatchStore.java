package io.loopfree.sync.adapters.dynamodb;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.link.LinkKey;
import io.loopfree.sync.domain.marker.Marker;
import io.loopfree.sync.domain.outbound.PendingWrite;
import io.loopfree.sync.domain.reconcile.MatchPlanner;
import io.loopfree.sync.domain.reconcile.MatchRun;
import io.loopfree.sync.domain.state.RecordKey;
import io.loopfree.sync.ports.MatchStore;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/** {@link MatchStore} on the two tables (items: {@link MatchItemMapper}). */
@ApplicationScoped
public class DynamoMatchStore implements MatchStore {

    private static final String LEASE_FREE = "attribute_not_exists(#leaseUntil) OR #leaseUntil < :now";
    private static final String ABSENT = "attribute_not_exists(#pk)";
    private static final int BATCH = 25;
    private static final int BATCH_ROUNDS = 8;

    private final DynamoDbClient dynamo;
    private final String eventsTable;
    private final String stateTable;

    public DynamoMatchStore(DynamoDbClient dynamo, SyncConfig config) {
        this.dynamo = dynamo;
        this.eventsTable = config.tables().events();
        this.stateTable = config.tables().state();
    }

    @Override
    public Optional<Acquired> acquire(String tenant, String resource, String owner, Instant now, Instant leaseUntil) {
        try {
            UpdateItemResponse response = dynamo.updateItem(b -> b.tableName(stateTable)
                    .key(MatchItemMapper.runKey(tenant, resource))
                    .updateExpression("SET #leaseOwner = :owner, #leaseUntil = :until")
                    .conditionExpression(LEASE_FREE)
                    .expressionAttributeNames(Map.of("#leaseOwner", MatchItemMapper.LEASE_OWNER,
                            "#leaseUntil", MatchItemMapper.LEASE_UNTIL))
                    .expressionAttributeValues(Map.of(":owner", AttributeValue.fromS(owner),
                            ":until", AttributeValue.fromS(IsoTimestamps.format(leaseUntil)),
                            ":now", AttributeValue.fromS(IsoTimestamps.format(now))))
                    .returnValues(ReturnValue.ALL_OLD));
            return Optional.of(new Acquired(MatchItemMapper.fromItem(response.attributes())));
        } catch (ConditionalCheckFailedException held) {
            return Optional.empty();
        }
    }

    @Override
    public boolean save(MatchRun run, String owner) {
        try {
            dynamo.putItem(b -> b.tableName(stateTable).item(MatchItemMapper.toItem(run))
                    .conditionExpression("#leaseOwner = :owner")
                    .expressionAttributeNames(Map.of("#leaseOwner", MatchItemMapper.LEASE_OWNER))
                    .expressionAttributeValues(Map.of(":owner", AttributeValue.fromS(owner))));
            return true;
        } catch (ConditionalCheckFailedException leaseLost) {
            return false;
        }
    }

    @Override
    public void index(MatchRun run, List<IndexEntry> listed, Instant expiresAt) {
        // one batch may not name an item twice: a record listed twice in a page is one entry
        Map<String, IndexEntry> unique = new java.util.LinkedHashMap<>();
        listed.forEach(entry -> unique.put(MatchItemMapper.indexSk(entry), entry));
        List<IndexEntry> entries = List.copyOf(unique.values());
        for (int from = 0; from < entries.size(); from += BATCH) {
            List<WriteRequest> requests = new ArrayList<>();
            for (IndexEntry entry : entries.subList(from, Math.min(entries.size(), from + BATCH))) {
                requests.add(WriteRequest.builder().putRequest(PutRequest.builder()
                        .item(MatchItemMapper.indexItem(run, entry, expiresAt)).build()).build());
            }
            batchWrite(requests);
        }
    }

    @Override
    public void forget(MatchRun run, List<IndexEntry> entries) {
        String pk = MatchItemMapper.indexPk(run);
        java.util.Set<String> sks = new java.util.LinkedHashSet<>();
        entries.forEach(entry -> sks.add(MatchItemMapper.indexSk(entry)));
        List<String> all = List.copyOf(sks);
        for (int from = 0; from < all.size(); from += BATCH) {
            List<WriteRequest> requests = new ArrayList<>();
            for (String sk : all.subList(from, Math.min(all.size(), from + BATCH))) {
                requests.add(WriteRequest.builder().deleteRequest(d -> d.key(Map.of("pk", AttributeValue.fromS(pk),
                        "sk", AttributeValue.fromS(sk)))).build());
            }
            batchWrite(requests);
        }
    }

    private void batchWrite(List<WriteRequest> requests) {
        {
            Map<String, List<WriteRequest>> pending = Map.of(stateTable, requests);
            for (int round = 0; !pending.isEmpty() && !pending.getOrDefault(stateTable, List.of()).isEmpty(); round++) {
                if (round == BATCH_ROUNDS) {
                    throw new IllegalStateException("the match index kept refusing writes (throttled)");
                }
                Map<String, List<WriteRequest>> request = pending;
                BatchWriteItemResponse response = dynamo.batchWriteItem(b -> b.requestItems(request));
                pending = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
            }
        }
    }

    @Override
    public IndexPage indexPage(MatchRun run, Optional<String> after, int limit) {
        String pk = MatchItemMapper.indexPk(run);
        QueryResponse response = dynamo.query(b -> {
            b.tableName(stateTable).consistentRead(true).limit(Math.max(1, limit))
                    .keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk)));
            after.ifPresent(sk -> b.exclusiveStartKey(Map.of("pk", AttributeValue.fromS(pk),
                    "sk", AttributeValue.fromS(sk))));
        });
        List<IndexEntry> entries = response.items().stream().map(MatchItemMapper::indexEntry).toList();
        Optional<String> next = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                ? Optional.of(response.lastEvaluatedKey().get("sk").s()) : Optional.empty();
        return new IndexPage(entries, next);
    }

    @Override
    public String position(IndexEntry entry) {
        return MatchItemMapper.indexSk(entry);
    }

    @Override
    public boolean pair(MatchPlanner.Pairing pairing, List<PendingWrite> writes, List<Marker> markers, Instant now) {
        String canonicalKey = pairing.plan().state().key().canonicalKey();
        Map<String, String> pkName = Map.of("#pk", "pk");
        List<TransactWriteItem> items = new ArrayList<>();
        String lastSystem = pairing.plan().state().origin();
        items.add(TransactWriteItem.builder().put(p -> p.tableName(stateTable)
                .item(RecordStateItemMapper.toItem(pairing.plan().state(), lastSystem, now))
                .conditionExpression(ABSENT).expressionAttributeNames(pkName)).build());
        for (LinkKey link : pairing.links()) {
            items.add(TransactWriteItem.builder().put(p -> p.tableName(stateTable)
                    .item(LinkItemMapper.toItem(link, canonicalKey, now))
                    .conditionExpression(ABSENT).expressionAttributeNames(pkName)).build());
        }
        for (RecordKey own : pairing.ownKeys()) {
            // a live change of the other record already started its own canonical record: leave it to that path
            items.add(TransactWriteItem.builder().conditionCheck(c -> c.tableName(stateTable)
                    .key(RecordStateItemMapper.key(own))
                    .conditionExpression(ABSENT).expressionAttributeNames(pkName)).build());
        }
        writes.forEach(pending -> items.add(TransactWriteItem.builder()
                .put(p -> p.tableName(stateTable).item(OutboxItemMapper.toItem(pending))).build()));
        markers.forEach(marker -> items.add(TransactWriteItem.builder()
                .put(p -> p.tableName(eventsTable).item(MarkerItemMapper.toItem(marker))).build()));
        try {
            dynamo.transactWriteItems(b -> b.transactItems(items));
            return true;
        } catch (TransactionCanceledException cancelled) {
            if (cancelled.cancellationReasons().stream().anyMatch(r -> "ConditionalCheckFailed".equals(r.code()))) {
                return false;
            }
            throw cancelled; // a conflicting transaction under way: the run fails and resumes from its checkpoint
        }
    }

    @Override
    public void report(MatchRun run, String kind, String key, String reason, List<String> records, Instant now) {
        Map<String, AttributeValue> item = new HashMap<>(MatchItemMapper.reportItem(run, kind, key, reason, records,
                now));
        dynamo.putItem(b -> b.tableName(stateTable).item(item));
    }
}
