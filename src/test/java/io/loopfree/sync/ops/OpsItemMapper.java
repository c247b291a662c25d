package io.loopfree.sync.ops;

import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The operations tool's only DynamoDB attribute mapping: items shown as JSON (as the console's JSON view shows
 * them, attributes sorted), and the audit item every state-changing command writes.
 */
final class OpsItemMapper {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private OpsItemMapper() {
    }

    static ObjectNode toJson(Map<String, AttributeValue> item) {
        ObjectNode node = NODES.objectNode();
        new TreeMap<>(item).forEach((name, value) -> node.set(name, toJson(value)));
        return node;
    }

    static JsonNode toJson(AttributeValue value) {
        if (value.s() != null) {
            return NODES.textNode(value.s());
        }
        if (value.n() != null) {
            return NODES.numberNode(new java.math.BigDecimal(value.n()));
        }
        if (value.bool() != null) {
            return NODES.booleanNode(value.bool());
        }
        if (Boolean.TRUE.equals(value.nul())) {
            return NODES.nullNode();
        }
        if (value.hasM()) {
            return toJson(value.m());
        }
        if (value.hasL()) {
            ArrayNode array = NODES.arrayNode();
            value.l().forEach(v -> array.add(toJson(v)));
            return array;
        }
        if (value.hasSs()) {
            ArrayNode array = NODES.arrayNode();
            value.ss().forEach(array::add);
            return array;
        }
        return NODES.textNode(String.valueOf(value));
    }

    static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item == null ? null : item.get(name);
        return value == null ? null : value.s() != null ? value.s() : value.n();
    }

    /** {@code pk=AUDIT#<date>}, {@code sk=<when>#<id>}: who did what to which item, when and why. */
    static Map<String, AttributeValue> auditItem(Audit audit) {
        Map<String, AttributeValue> item = new java.util.LinkedHashMap<>();
        item.put("pk", AttributeValue.fromS("AUDIT#" + audit.at().toString().substring(0, 10)));
        item.put("sk", AttributeValue.fromS(audit.at() + "#" + audit.id()));
        item.put("type", AttributeValue.fromS("AUDIT"));
        item.put("who", AttributeValue.fromS(audit.who()));
        item.put("at", AttributeValue.fromS(audit.at().toString()));
        item.put("action", AttributeValue.fromS(audit.action()));
        item.put("target", AttributeValue.fromS(audit.target()));
        item.put("why", AttributeValue.fromS(audit.why()));
        item.put("before", AttributeValue.fromS(audit.before()));
        item.put("after", AttributeValue.fromS(audit.after()));
        return item;
    }

    record Audit(String id, java.time.Instant at, String who, String action, String target, String why,
            String before, String after) {
    }
}
