package io.loopfree.sync.adapters.dynamodb;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.loopfree.sync.domain.change.FieldSet;
import io.loopfree.sync.domain.marker.MarkedWrite;
import io.loopfree.sync.domain.marker.Marker;
import io.loopfree.sync.domain.marker.MarkerKey;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The markers of our recent writes of one record to one system (events table, TTL), one entry per write:
 * <pre>
 * pk=MARKER#acme#sandbox-rich#contact#app:c_42  type=MARKER  tenant=acme  system=sandbox-rich  resource=contact
 * canonicalKey=app:c_42  expiresAt=1795168830 (TTL: the last entry's)  expiresAtIso=2026-11-20T10:05:30.000Z
 * writes={ 5b0e…: { fieldHash=9f2c…, fields={email=ada@example.com}, correlationId=app:msg_2Kp,
 *                   writtenAt=2026-11-20T10:00:30.000Z, expiresAt=1795168830, expiresAtIso=… } }
 * </pre>
 */
final class MarkerItemMapper {

    static final String PK = "pk";
    static final String TYPE_MARKER = "MARKER";
    static final String WRITES = "writes";
    static final String EXPIRES_AT = DedupItemMapper.EXPIRES_AT;
    /** Consume only a write that is still there, and only while it is live. */
    static final String WRITE_LIVE = "#writes.#token.#expiresAt > :now";

    private MarkerItemMapper() {
    }

    static Map<String, AttributeValue> key(MarkerKey key) {
        return Map.of(PK, AttributeValue.fromS(key.asItemKey()));
    }

    static Map<String, AttributeValue> toItem(Marker marker) {
        Map<String, AttributeValue> item = new HashMap<>();
        MarkerKey key = marker.key();
        item.put(PK, AttributeValue.fromS(key.asItemKey()));
        item.put("type", AttributeValue.fromS(TYPE_MARKER));
        item.put("tenant", AttributeValue.fromS(key.tenant()));
        item.put("system", AttributeValue.fromS(key.system()));
        item.put("resource", AttributeValue.fromS(key.resource()));
        item.put("canonicalKey", AttributeValue.fromS(key.canonicalKey()));
        Map<String, AttributeValue> writes = new LinkedHashMap<>();
        Instant last = Instant.EPOCH;
        for (MarkedWrite write : marker.writes()) {
            writes.put(write.token(), write(write));
            last = write.expiresAt().isAfter(last) ? write.expiresAt() : last;
        }
        item.put(WRITES, AttributeValue.fromM(writes));
        item.put(EXPIRES_AT, AttributeValue.fromN(Long.toString(last.getEpochSecond())));
        item.put("expiresAtIso", AttributeValue.fromS(IsoTimestamps.format(last)));
        return item;
    }

    private static AttributeValue write(MarkedWrite write) {
        Map<String, AttributeValue> map = new LinkedHashMap<>();
        if (write.fieldHash() != null) {
            map.put("fieldHash", AttributeValue.fromS(write.fieldHash()));
        }
        Map<String, AttributeValue> fields = new LinkedHashMap<>();
        write.fields().values().forEach((name, value) -> fields.put(name, RecordStateItemMapper.value(value)));
        map.put("fields", AttributeValue.fromM(fields));
        if (write.correlationId() != null) {
            map.put("correlationId", AttributeValue.fromS(write.correlationId()));
        }
        map.put("writtenAt", AttributeValue.fromS(IsoTimestamps.format(write.writtenAt())));
        map.put(EXPIRES_AT, AttributeValue.fromN(Long.toString(write.expiresAt().getEpochSecond())));
        map.put("expiresAtIso", AttributeValue.fromS(IsoTimestamps.format(write.expiresAt())));
        return AttributeValue.fromM(map);
    }

    /** The marker with its writes still live at {@code now}; empty when none is (expired entries are ignored). */
    static Optional<Marker> liveMarker(MarkerKey key, Map<String, AttributeValue> item, Instant now) {
        if (item == null || !item.containsKey(PK) || !item.containsKey(WRITES) || !item.get(WRITES).hasM()) {
            return Optional.empty();
        }
        List<MarkedWrite> writes = new ArrayList<>();
        item.get(WRITES).m().forEach((token, value) -> {
            Map<String, AttributeValue> map = value.m();
            Map<String, Object> fields = new TreeMap<>();
            AttributeValue stored = map.get("fields");
            if (stored != null && stored.hasM()) {
                stored.m().forEach((name, v) -> fields.put(name, RecordStateItemMapper.javaValue(v)));
            }
            MarkedWrite write = new MarkedWrite(token, text(map, "fieldHash"), FieldSet.of(fields),
                    text(map, "correlationId"),
                    map.containsKey("writtenAt") ? IsoTimestamps.parse(map.get("writtenAt").s()) : Instant.EPOCH,
                    Instant.ofEpochSecond(Long.parseLong(map.get(EXPIRES_AT).n())));
            if (write.liveAt(now)) {
                writes.add(write);
            }
        });
        writes.sort(Comparator.comparing(MarkedWrite::writtenAt));
        return writes.isEmpty() ? Optional.empty() : Optional.of(new Marker(key, writes));
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }
}
