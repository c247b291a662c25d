package io.loopfree.sync.adapters.dynamodb;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import io.loopfree.sync.domain.valve.AccountKey;
import io.loopfree.sync.domain.valve.Breaker;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * One account's breaker and pause switch (state table, never expires; see docs/safety-valves.md):
 * <pre>
 * pk=BREAKER#acme#hubspot#62515  sk=BREAKER  type=BREAKER  tenant=acme  system=hubspot  account=62515
 * state=open  paused=false  reason=rate-limited  openedAt=2026-11-20T10:00:30.000Z
 * reopenAt=2026-11-20T10:01:00.000Z  reopenAtEpoch=1795168860  trips=1  lastUsage="default 100/100 until …"
 * probeToken=…  probeUntil=…  probeUntilEpoch=…  heldWrites=12  updatedAt=…
 * </pre>
 * {@code paused} is the operator's switch: a boolean, or the string {@code true}, set in the console.
 * Public for the operations command ({@code loopfree-ops pause|resume|breaker}), which reads the item with
 * {@link #fromItem} and changes it with {@link #pauseSwitch} / {@link #operatorReset} inside its audited transaction.
 */
public final class BreakerItemMapper {

    static final String PK = "pk";
    static final String SK = "sk";
    static final String SK_BREAKER = "BREAKER";
    static final String TYPE = "type";
    static final String STATE = "state";
    static final String PAUSED = "paused";
    static final String REASON = "reason";
    static final String OPENED_AT = "openedAt";
    static final String REOPEN_AT = "reopenAt";
    static final String REOPEN_AT_EPOCH = "reopenAtEpoch";
    static final String TRIPS = "trips";
    static final String LAST_USAGE = "lastUsage";
    static final String PROBE_TOKEN = "probeToken";
    static final String PROBE_UNTIL = "probeUntil";
    static final String PROBE_UNTIL_EPOCH = "probeUntilEpoch";
    static final String HELD_WRITES = "heldWrites";
    static final String DRAIN_TOKEN = "drainToken";
    static final String DRAIN_UNTIL_EPOCH = "drainUntilEpoch";
    static final String UPDATED_AT = "updatedAt";
    static final String CLOSED_AT = "closedAt";

    private BreakerItemMapper() {
    }

    public static String partitionKey(AccountKey key) {
        return "BREAKER#" + key.label();
    }

    public static Map<String, AttributeValue> key(AccountKey key) {
        return Map.of(PK, AttributeValue.fromS(partitionKey(key)), SK, AttributeValue.fromS(SK_BREAKER));
    }

    /** The attributes every write sets, so that an item made by an ADD alone still explains itself. */
    static Map<String, AttributeValue> identity(AccountKey key, Instant now) {
        return Map.of(":type", AttributeValue.fromS(SK_BREAKER), ":tenant", AttributeValue.fromS(key.tenant()),
                ":system", AttributeValue.fromS(key.system()), ":account", AttributeValue.fromS(key.account()),
                ":updatedAt", AttributeValue.fromS(IsoTimestamps.format(now)));
    }

    static final String SET_IDENTITY = "#type = :type, #tenant = :tenant, #system = :system, #account = :account,"
            + " #updatedAt = :updatedAt";

    static Map<String, String> identityNames() {
        return Map.of("#type", TYPE, "#tenant", "tenant", "#system", "system", "#account", "account",
                "#updatedAt", UPDATED_AT);
    }

    public static Breaker fromItem(AccountKey key, Map<String, AttributeValue> item) {
        if (item == null || item.isEmpty()) {
            return Breaker.closed(key);
        }
        Breaker.State state = Breaker.State.closed;
        String stateText = string(item, STATE);
        if (stateText != null) {
            try {
                state = Breaker.State.valueOf(stateText.strip().toLowerCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                state = Breaker.State.open; // an unknown state typed in the console: hold rather than guess
            }
        }
        return new Breaker(key, state, paused(item.get(PAUSED)), string(item, REASON),
                Optional.ofNullable(string(item, OPENED_AT)).map(IsoTimestamps::parse),
                epoch(item, REOPEN_AT_EPOCH).or(() -> Optional.ofNullable(string(item, REOPEN_AT)).map(IsoTimestamps::parse)),
                (int) number(item, TRIPS), string(item, LAST_USAGE),
                Optional.ofNullable(string(item, PROBE_TOKEN)), epoch(item, PROBE_UNTIL_EPOCH),
                number(item, HELD_WRITES));
    }

    private static final String NOT_PAUSED = "(attribute_not_exists(#paused) OR (#paused <> :true AND #paused <> :trueText))";

    /**
     * The operator's pause switch as one conditional update, for a transaction with the audit item: it fails (and
     * so writes nothing) when the switch is already where it is asked to go, so the audit records real changes only.
     */
    public static Update pauseSwitch(String table, AccountKey key, boolean paused, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>(identity(key, now));
        values.put(":paused", AttributeValue.fromBool(paused));
        values.put(":true", AttributeValue.fromBool(true));
        values.put(":trueText", AttributeValue.fromS("true"));
        Map<String, String> names = new HashMap<>(identityNames());
        names.put("#paused", PAUSED);
        return Update.builder().tableName(table).key(key(key))
                .updateExpression("SET " + SET_IDENTITY + ", #paused = :paused")
                .conditionExpression(paused ? NOT_PAUSED : "NOT " + NOT_PAUSED)
                .expressionAttributeNames(names).expressionAttributeValues(values).build();
    }

    /**
     * The operator's reset: closed, {@code trips} 0, no probe, no reopen time — only if the breaker is still as
     * {@code seen} (same state, same trips), so a breaker that moved since it was shown is not reset blindly. The
     * held writes stay counted: the next message (or reconciler run) for the account drains them.
     */
    public static Update operatorReset(String table, AccountKey key, Breaker seen, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>(identity(key, now));
        values.put(":closed", AttributeValue.fromS(Breaker.State.closed.name()));
        values.put(":seen", AttributeValue.fromS(seen.state().name()));
        values.put(":trips", AttributeValue.fromN(Integer.toString(seen.trips())));
        values.put(":zero", AttributeValue.fromN("0"));
        values.put(":closedAt", AttributeValue.fromS(IsoTimestamps.format(now)));
        Map<String, String> names = new HashMap<>(identityNames());
        names.put("#state", STATE);
        names.put("#trips", TRIPS);
        names.put("#closedAt", CLOSED_AT);
        names.put("#probeToken", PROBE_TOKEN);
        names.put("#probeUntil", PROBE_UNTIL);
        names.put("#probeUntilEpoch", PROBE_UNTIL_EPOCH);
        names.put("#reopenAt", REOPEN_AT);
        names.put("#reopenAtEpoch", REOPEN_AT_EPOCH);
        String sameTrips = seen.trips() == 0 ? "(attribute_not_exists(#trips) OR #trips = :trips)" : "#trips = :trips";
        return Update.builder().tableName(table).key(key(key))
                .updateExpression("SET " + SET_IDENTITY + ", #state = :closed, #trips = :zero, #closedAt = :closedAt"
                        + " REMOVE #probeToken, #probeUntil, #probeUntilEpoch, #reopenAt, #reopenAtEpoch")
                .conditionExpression("#state = :seen AND " + sameTrips)
                .expressionAttributeNames(names).expressionAttributeValues(values).build();
    }

    private static boolean paused(AttributeValue value) {
        if (value == null) {
            return false;
        }
        if (value.bool() != null) {
            return value.bool();
        }
        return value.s() != null && value.s().strip().equalsIgnoreCase("true");
    }

    private static String string(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    private static long number(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        try {
            return value == null || value.n() == null ? 0 : Long.parseLong(value.n());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Optional<Instant> epoch(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        if (value == null || value.n() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.ofEpochSecond(Long.parseLong(value.n())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
