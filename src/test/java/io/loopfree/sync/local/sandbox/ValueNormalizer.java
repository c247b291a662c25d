package io.loopfree.sync.local.sandbox;

import java.util.Iterator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * What a normalizing provider does to values on write, so that what the engine reads back is not byte-for-byte
 * what it wrote (a naive hash would then see a change): booleans become the strings {@code "true"}/{@code "false"},
 * strings are trimmed, ISO-8601 timestamps lose their fractional seconds. Nested objects and arrays too.
 */
final class ValueNormalizer {

    /** Date-time with a fractional part and a zone (Z or ±hh:mm); group 1 = up to the seconds, 3 = the zone. */
    private static final Pattern FRACTIONAL_TIMESTAMP =
            Pattern.compile("(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2})(\\.\\d+)(Z|[+-]\\d{2}:\\d{2})?");

    private ValueNormalizer() {
    }

    static ObjectNode normalize(ObjectNode fields) {
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            result.set(field.getKey(), normalize(field.getValue()));
        }
        return result;
    }

    static JsonNode normalize(JsonNode value) {
        if (value.isBoolean()) {
            return TextNode.valueOf(Boolean.toString(value.booleanValue()));
        }
        if (value.isTextual()) {
            return TextNode.valueOf(normalizeText(value.textValue()));
        }
        if (value.isObject()) {
            return normalize((ObjectNode) value);
        }
        if (value.isArray()) {
            ArrayNode result = JsonNodeFactory.instance.arrayNode();
            value.forEach(element -> result.add(normalize(element)));
            return result;
        }
        return value;
    }

    static String normalizeText(String text) {
        String trimmed = text.strip();
        Matcher matcher = FRACTIONAL_TIMESTAMP.matcher(trimmed);
        if (matcher.matches()) {
            return matcher.group(1) + (matcher.group(3) == null ? "" : matcher.group(3));
        }
        return trimmed;
    }
}
