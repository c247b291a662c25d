package io.loopfree.sync.adapters.dynamodb;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import io.loopfree.sync.domain.marker.Marker;
import io.loopfree.sync.domain.marker.MarkerKey;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The correlation marker (events table, TTL):
 * <pre>
 * pk=MARKER#acme#hubspot#contact#42  type=MARKER  tenant=acme  system=hubspot  resource=contact  recordId=42
 * fieldHash=9f2c…  correlationId=app:msg_2Kp  markerToken=5b0e…  writtenAt=2026-11-20T10:00:30.000Z
 * expiresAt=1795168830 (TTL)  expiresAtIso=2026-11-20T10:05:30.000Z
 * </pre>
 */
final class MarkerItemMapper {

    static final String PK = "pk";
    static final String TYPE_MARKER = "MARKER";
    static final String TOKEN = "markerToken";
    static final String EXPIRES_AT = DedupItemMapper.EXPIRES_AT;
    /** Consume only the marker we read, and only while it is live. */
    static final String LIVE_AND_SAME = "#expiresAt > :now AND #token = :token";

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
        item.put("recordId", AttributeValue.fromS(key.recordId()));
        if (marker.fieldHash() != null) {
            item.put("fieldHash", AttributeValue.fromS(marker.fieldHash()));
        }
        if (marker.correlationId() != null) {
            item.put("correlationId", AttributeValue.fromS(marker.correlationId()));
        }
        item.put(TOKEN, AttributeValue.fromS(marker.token()));
        item.put("writtenAt", AttributeValue.fromS(IsoTimestamps.format(marker.writtenAt())));
        item.put(EXPIRES_AT, AttributeValue.fromN(Long.toString(marker.expiresAt().getEpochSecond())));
        item.put("expiresAtIso", AttributeValue.fromS(IsoTimestamps.format(marker.expiresAt())));
        return item;
    }

    /** The marker if the item is one and still live at {@code now}: an expired marker is ignored, deleted or not. */
    static Optional<Marker> liveMarker(MarkerKey key, Map<String, AttributeValue> item, Instant now) {
        if (item == null || !item.containsKey(PK) || !item.containsKey(EXPIRES_AT)) {
            return Optional.empty();
        }
        Marker marker = new Marker(key,
                text(item, "fieldHash"),
                text(item, "correlationId"),
                item.containsKey("writtenAt") ? IsoTimestamps.parse(item.get("writtenAt").s()) : Instant.EPOCH,
                Instant.ofEpochSecond(Long.parseLong(item.get(EXPIRES_AT).n())),
                text(item, TOKEN));
        return marker.liveAt(now) ? Optional.of(marker) : Optional.empty();
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }
}
