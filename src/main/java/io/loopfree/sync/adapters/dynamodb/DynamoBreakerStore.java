package io.loopfree.sync.adapters.dynamodb;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.valve.AccountKey;
import io.loopfree.sync.domain.valve.Breaker;
import io.loopfree.sync.ports.BreakerStore;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/** The breakers in the state table ({@link BreakerItemMapper}); every change one conditional UpdateItem. */
@ApplicationScoped
public class DynamoBreakerStore implements BreakerStore {

    private final DynamoDbClient dynamo;
    private final String stateTable;

    public DynamoBreakerStore(DynamoDbClient dynamo, SyncConfig config) {
        this.dynamo = dynamo;
        this.stateTable = config.tables().state();
    }

    @Override
    public Breaker find(AccountKey key) {
        var response = dynamo.getItem(b -> b.tableName(stateTable).consistentRead(true).key(BreakerItemMapper.key(key)));
        return BreakerItemMapper.fromItem(key, response.hasItem() ? response.item() : null);
    }

    @Override
    public boolean open(AccountKey key, String reason, Instant now, Instant until, String usage,
            Optional<String> probeToken) {
        Expr e = new Expr(key, now);
        e.value(":open", AttributeValue.fromS(Breaker.State.open.name()));
        e.value(":reason", AttributeValue.fromS(bounded(reason)));
        e.value(":openedAt", AttributeValue.fromS(IsoTimestamps.format(now)));
        e.value(":reopenAt", AttributeValue.fromS(IsoTimestamps.format(until)));
        e.value(":until", AttributeValue.fromN(Long.toString(until.getEpochSecond())));
        e.value(":usage", AttributeValue.fromS(bounded(usage)));
        e.value(":one", AttributeValue.fromN("1"));
        String condition;
        if (probeToken.isPresent()) {
            e.value(":token", AttributeValue.fromS(probeToken.get()));
            condition = "#probeToken = :token";
        } else {
            condition = "attribute_not_exists(#state) OR #state <> :open OR #reopenAtEpoch < :until";
        }
        return update(e, "SET " + BreakerItemMapper.SET_IDENTITY + ", #state = :open, #reason = :reason,"
                + " #openedAt = :openedAt, #reopenAt = :reopenAt, #reopenAtEpoch = :until, #lastUsage = :usage"
                + " ADD #trips :one REMOVE #probeToken, #probeUntil, #probeUntilEpoch", condition);
    }

    @Override
    public Optional<String> claimProbe(AccountKey key, Instant now, Instant until) {
        String token = UUID.randomUUID().toString();
        Expr e = new Expr(key, now);
        e.value(":open", AttributeValue.fromS(Breaker.State.open.name()));
        e.value(":half", AttributeValue.fromS(Breaker.State.half_open.name()));
        e.value(":now", AttributeValue.fromN(Long.toString(now.getEpochSecond())));
        e.value(":token", AttributeValue.fromS(token));
        e.value(":probeUntil", AttributeValue.fromS(IsoTimestamps.format(until)));
        e.value(":probeUntilEpoch", AttributeValue.fromN(Long.toString(until.getEpochSecond())));
        e.value(":true", AttributeValue.fromBool(true));
        e.value(":trueText", AttributeValue.fromS("true"));
        boolean won = update(e, "SET " + BreakerItemMapper.SET_IDENTITY + ", #state = :half, #probeToken = :token,"
                + " #probeUntil = :probeUntil, #probeUntilEpoch = :probeUntilEpoch",
                "((#state = :open AND #reopenAtEpoch <= :now) OR (#state = :half AND #probeUntilEpoch <= :now))"
                        + " AND (attribute_not_exists(#paused) OR (#paused <> :true AND #paused <> :trueText))");
        return won ? Optional.of(token) : Optional.empty();
    }

    @Override
    public boolean close(AccountKey key, String probeToken, Instant now) {
        Expr e = new Expr(key, now);
        e.value(":closed", AttributeValue.fromS(Breaker.State.closed.name()));
        e.value(":token", AttributeValue.fromS(probeToken));
        e.value(":zero", AttributeValue.fromN("0"));
        e.value(":closedAt", AttributeValue.fromS(IsoTimestamps.format(now)));
        return update(e, "SET " + BreakerItemMapper.SET_IDENTITY + ", #state = :closed, #trips = :zero,"
                + " #closedAt = :closedAt REMOVE #probeToken, #probeUntil, #probeUntilEpoch, #reopenAt, #reopenAtEpoch",
                "#probeToken = :token");
    }

    @Override
    public void setPaused(AccountKey key, boolean paused, Instant now) {
        Expr e = new Expr(key, now);
        e.value(":paused", AttributeValue.fromBool(paused));
        update(e, "SET " + BreakerItemMapper.SET_IDENTITY + ", #paused = :paused", null);
    }

    @Override
    public Optional<DrainClaim> claimDrain(AccountKey key, Instant now, Instant until, boolean force) {
        String token = UUID.randomUUID().toString();
        Expr e = new Expr(key, now);
        e.value(":open", AttributeValue.fromS(Breaker.State.open.name()));
        e.value(":half", AttributeValue.fromS(Breaker.State.half_open.name()));
        e.value(":now", AttributeValue.fromN(Long.toString(now.getEpochSecond())));
        e.value(":token", AttributeValue.fromS(token));
        e.value(":drainUntil", AttributeValue.fromN(Long.toString(until.getEpochSecond())));
        e.value(":zero", AttributeValue.fromN("0"));
        e.value(":true", AttributeValue.fromBool(true));
        e.value(":trueText", AttributeValue.fromS("true"));
        String condition = "(attribute_not_exists(#state) OR (#state <> :open AND #state <> :half))"
                + " AND (attribute_not_exists(#paused) OR (#paused <> :true AND #paused <> :trueText))"
                + " AND (attribute_not_exists(#drainUntilEpoch) OR #drainUntilEpoch <= :now)"
                + (force ? "" : " AND #heldWrites > :zero");
        UpdateItemRequest request = e.request("SET " + BreakerItemMapper.SET_IDENTITY + ", #drainToken = :token,"
                + " #drainUntilEpoch = :drainUntil, #heldWrites = :zero", condition).toBuilder()
                .returnValues(ReturnValue.UPDATED_OLD).build();
        try {
            var response = dynamo.updateItem(request);
            AttributeValue held = response.hasAttributes() ? response.attributes().get(BreakerItemMapper.HELD_WRITES) : null;
            return Optional.of(new DrainClaim(token, held == null || held.n() == null ? 0 : Long.parseLong(held.n())));
        } catch (ConditionalCheckFailedException e2) {
            return Optional.empty();
        }
    }

    @Override
    public void releaseDrain(AccountKey key, DrainClaim claim, long stillHeld, Instant now) {
        Expr e = new Expr(key, now);
        e.value(":token", AttributeValue.fromS(claim.token()));
        e.value(":held", AttributeValue.fromN(Long.toString(Math.max(0, stillHeld))));
        update(e, "SET " + BreakerItemMapper.SET_IDENTITY + " ADD #heldWrites :held REMOVE #drainToken, #drainUntilEpoch",
                "#drainToken = :token");
    }

    private boolean update(Expr e, String expression, String condition) {
        try {
            dynamo.updateItem(e.request(expression, condition));
            return true;
        } catch (ConditionalCheckFailedException failed) {
            return false;
        }
    }

    private static String bounded(String text) {
        String value = text == null ? "" : text;
        return value.length() > 300 ? value.substring(0, 300) : value;
    }

    /** Names and values of one update: every attribute aliased (several are reserved words). */
    private final class Expr {
        private final AccountKey key;
        private final Map<String, String> names = new HashMap<>(BreakerItemMapper.identityNames());
        private final Map<String, AttributeValue> values;

        Expr(AccountKey key, Instant now) {
            this.key = key;
            this.values = new HashMap<>(BreakerItemMapper.identity(key, now));
            names.put("#state", BreakerItemMapper.STATE);
            names.put("#reason", BreakerItemMapper.REASON);
            names.put("#openedAt", BreakerItemMapper.OPENED_AT);
            names.put("#reopenAt", BreakerItemMapper.REOPEN_AT);
            names.put("#reopenAtEpoch", BreakerItemMapper.REOPEN_AT_EPOCH);
            names.put("#lastUsage", BreakerItemMapper.LAST_USAGE);
            names.put("#trips", BreakerItemMapper.TRIPS);
            names.put("#probeToken", BreakerItemMapper.PROBE_TOKEN);
            names.put("#probeUntil", BreakerItemMapper.PROBE_UNTIL);
            names.put("#probeUntilEpoch", BreakerItemMapper.PROBE_UNTIL_EPOCH);
            names.put("#paused", BreakerItemMapper.PAUSED);
            names.put("#closedAt", BreakerItemMapper.CLOSED_AT);
            names.put("#heldWrites", BreakerItemMapper.HELD_WRITES);
            names.put("#drainToken", BreakerItemMapper.DRAIN_TOKEN);
            names.put("#drainUntilEpoch", BreakerItemMapper.DRAIN_UNTIL_EPOCH);
        }

        void value(String name, AttributeValue value) {
            values.put(name, value);
        }

        UpdateItemRequest request(String expression, String condition) {
            // DynamoDB refuses names and values the expressions do not use: keep only those that appear
            String text = expression + (condition == null ? "" : " " + condition);
            Map<String, String> usedNames = new HashMap<>();
            names.forEach((n, v) -> {
                if (text.matches("(?s).*" + java.util.regex.Pattern.quote(n) + "\\b.*")) {
                    usedNames.put(n, v);
                }
            });
            Map<String, AttributeValue> usedValues = new HashMap<>();
            values.forEach((n, v) -> {
                if (text.matches("(?s).*" + java.util.regex.Pattern.quote(n) + "\\b.*")) {
                    usedValues.put(n, v);
                }
            });
            UpdateItemRequest.Builder b = UpdateItemRequest.builder().tableName(stateTable)
                    .key(BreakerItemMapper.key(key)).updateExpression(expression)
                    .expressionAttributeNames(usedNames).expressionAttributeValues(usedValues);
            if (condition != null) {
                b.conditionExpression(condition);
            }
            return b.build();
        }
    }
}
