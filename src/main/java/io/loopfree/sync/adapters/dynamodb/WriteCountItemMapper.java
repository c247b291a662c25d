package io.loopfree.sync.adapters.dynamodb;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.loopfree.sync.domain.valve.WindowKey;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * The loop detector's counter: one account's outbound writes in one window (events table, TTL):
 * <pre>
 * pk=WRITES#acme#hubspot#62515#2026-11-20T10:00:00.000Z  type=WRITE_COUNT  tenant=acme  system=hubspot
 * account=62515  windowStart=2026-11-20T10:00:00.000Z  writes=37  sample07=contact/app:c_42 …
 * expiresAt=1795170000  expiresAtIso=…
 * </pre>
 * The {@code sampleNN} attributes (at most {@link #SAMPLES}) keep records written in the window, each record in the
 * slot its hash picks: bounded whatever the number of records, and the records that loop stay there.
 * Public for the operations command's {@code breaker reset} ({@link #restart}).
 */
public final class WriteCountItemMapper {

    static final int SAMPLES = 16;
    static final String WRITES = "writes";

    private WriteCountItemMapper() {
    }

    static Map<String, AttributeValue> key(WindowKey key) {
        return Map.of("pk", AttributeValue.fromS("WRITES#" + key.account().label() + "#" + IsoTimestamps.format(key.start())));
    }

    static Update increment(String table, WindowKey key, int writes, String record, Instant expiresAt) {
        String slot = String.format("sample%02d", Math.floorMod(record.hashCode(), SAMPLES));
        Map<String, String> names = new HashMap<>(Map.of("#type", "type", "#system", "system", "#account", "account",
                "#writes", WRITES, "#slot", slot, "#expiresAt", DedupItemMapper.EXPIRES_AT,
                "#expiresAtIso", DedupItemMapper.EXPIRES_AT_ISO, "#tenant", "tenant", "#windowStart", "windowStart"));
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":type", AttributeValue.fromS("WRITE_COUNT"));
        values.put(":tenant", AttributeValue.fromS(key.account().tenant()));
        values.put(":system", AttributeValue.fromS(key.account().system()));
        values.put(":account", AttributeValue.fromS(key.account().account()));
        values.put(":start", AttributeValue.fromS(IsoTimestamps.format(key.start())));
        values.put(":record", AttributeValue.fromS(record.length() > 200 ? record.substring(0, 200) : record));
        values.put(":n", AttributeValue.fromN(Integer.toString(writes)));
        values.put(":exp", AttributeValue.fromN(Long.toString(expiresAt.getEpochSecond())));
        values.put(":expIso", AttributeValue.fromS(IsoTimestamps.format(expiresAt)));
        return Update.builder().tableName(table).key(key(key))
                .updateExpression("SET #type = :type, #tenant = :tenant, #system = :system, #account = :account,"
                        + " #windowStart = :start, #slot = :record, #expiresAt = :exp, #expiresAtIso = :expIso"
                        + " ADD #writes :n")
                .expressionAttributeNames(names).expressionAttributeValues(values).build();
    }

    /**
     * The operator's reset restarts the account's current window at 0 (in the transaction that closes its breaker):
     * otherwise the window's count, still past the threshold, would reopen the breaker on the first write after the
     * fix. The samples stay (they say which records looped).
     */
    public static Update restart(String table, WindowKey key, Instant expiresAt) {
        Map<String, String> names = Map.of("#type", "type", "#tenant", "tenant", "#system", "system",
                "#account", "account", "#windowStart", "windowStart", "#writes", WRITES,
                "#expiresAt", DedupItemMapper.EXPIRES_AT, "#expiresAtIso", DedupItemMapper.EXPIRES_AT_ISO);
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":type", AttributeValue.fromS("WRITE_COUNT"));
        values.put(":tenant", AttributeValue.fromS(key.account().tenant()));
        values.put(":system", AttributeValue.fromS(key.account().system()));
        values.put(":account", AttributeValue.fromS(key.account().account()));
        values.put(":start", AttributeValue.fromS(IsoTimestamps.format(key.start())));
        values.put(":zero", AttributeValue.fromN("0"));
        values.put(":exp", AttributeValue.fromN(Long.toString(expiresAt.getEpochSecond())));
        values.put(":expIso", AttributeValue.fromS(IsoTimestamps.format(expiresAt)));
        return Update.builder().tableName(table).key(key(key))
                .updateExpression("SET #type = :type, #tenant = :tenant, #system = :system, #account = :account,"
                        + " #windowStart = :start, #writes = :zero, #expiresAt = if_not_exists(#expiresAt, :exp),"
                        + " #expiresAtIso = if_not_exists(#expiresAtIso, :expIso)")
                .expressionAttributeNames(names).expressionAttributeValues(values).build();
    }

    static WindowKey.Count fromItem(WindowKey key, Map<String, AttributeValue> item, Instant now) {
        if (item == null || item.isEmpty()) {
            return new WindowKey.Count(key, 0, List.of());
        }
        AttributeValue expires = item.get(DedupItemMapper.EXPIRES_AT);
        if (expires != null && expires.n() != null && Long.parseLong(expires.n()) <= now.getEpochSecond()) {
            return new WindowKey.Count(key, 0, List.of());
        }
        List<String> records = new ArrayList<>();
        for (int i = 0; i < SAMPLES; i++) {
            AttributeValue sample = item.get(String.format("sample%02d", i));
            if (sample != null && sample.s() != null) {
                records.add(sample.s());
            }
        }
        AttributeValue writes = item.get(WRITES);
        return new WindowKey.Count(key, writes == null || writes.n() == null ? 0 : Long.parseLong(writes.n()), records);
    }
}
