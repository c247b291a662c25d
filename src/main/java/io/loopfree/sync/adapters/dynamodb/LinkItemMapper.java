package io.loopfree.sync.adapters.dynamodb;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import io.loopfree.sync.domain.link.LinkKey;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * An identity link (state table, never expires): one system's id of a record → its canonical key.
 * <pre>
 * pk=LINK#acme#contact#sandbox-rich#rch_7  sk=LINK  type=LINK  tenant=acme  resource=contact  system=sandbox-rich
 * recordId=rch_7  canonicalKey=app:c_42  linkedAt=2026-11-20T10:00:31.000Z
 * </pre>
 */
final class LinkItemMapper {

    static final String SK_LINK = "LINK";

    private LinkItemMapper() {
    }

    static Map<String, AttributeValue> key(LinkKey key) {
        return Map.of("pk", AttributeValue.fromS(key.asItemKey()), "sk", AttributeValue.fromS(SK_LINK));
    }

    static Map<String, AttributeValue> toItem(LinkKey key, String canonicalKey, Instant now) {
        Map<String, AttributeValue> item = new HashMap<>(key(key));
        item.put("type", AttributeValue.fromS("LINK"));
        item.put("tenant", AttributeValue.fromS(key.tenant()));
        item.put("resource", AttributeValue.fromS(key.resource()));
        item.put("system", AttributeValue.fromS(key.system()));
        item.put("recordId", AttributeValue.fromS(key.recordId()));
        item.put("canonicalKey", AttributeValue.fromS(canonicalKey));
        item.put("linkedAt", AttributeValue.fromS(IsoTimestamps.format(now)));
        return item;
    }

    static Optional<String> canonicalKey(Map<String, AttributeValue> item) {
        if (item == null || !item.containsKey("canonicalKey")) {
            return Optional.empty();
        }
        return Optional.ofNullable(item.get("canonicalKey").s());
    }
}
