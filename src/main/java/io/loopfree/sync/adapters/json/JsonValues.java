package io.loopfree.sync.adapters.json;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.dashjoin.jsonata.Jsonata;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The one conversion between JSON text / Jackson trees and plain Java values ({@link Map}, {@link List},
 * {@link String}, {@link Integer}/{@link Long}/{@link Double}, {@link Boolean}, {@code null}), which is what
 * JSONata evaluates over and what the ports carry. Plain collections only: no reflection, native-ready.
 */
public final class JsonValues {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonValues() {
    }

    /**
     * Parsed with Jackson rather than jsonata-java's own parser, which reads every number through a double and so
     * corrupts 64-bit ids (Shopify's 18-digit order ids): integers stay Integer/Long here.
     */
    public static Object plain(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.fields().forEachRemaining(e -> map.put(e.getKey(), plain(e.getValue())));
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(item -> list.add(plain(item)));
            return list;
        }
        if (node.isInt() || node.isLong()) {
            return node.numberValue();
        }
        if (node.isBigInteger()) {
            return node.asText(); // beyond 64 bits: kept exact as text (only ever an id)
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        return node.asText();
    }

    /** @throws JsonProcessingException when the text is not JSON */
    public static Object parse(String text) throws JsonProcessingException {
        return plain(JSON.readTree(text));
    }

    /** JSONata's values back into plain JSON values (its null marker becomes null). */
    public static Object fromJsonata(Object value) {
        if (value == Jsonata.NULL_VALUE) {
            return null;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), fromJsonata(v)));
            return copy;
        }
        if (value instanceof Collection<?> items) {
            List<Object> copy = new ArrayList<>();
            items.forEach(item -> copy.add(fromJsonata(item)));
            return copy;
        }
        return value;
    }

    /**
     * Plain values as JSON text. JSONata computes in doubles ({@code $number("6572427401553796")}); a whole double
     * within the exact range of a double is written as an integer, so an id never becomes {@code 6.5724274E15}.
     */
    public static String write(Object value) {
        try {
            return JSON.writeValueAsString(integral(fromJsonata(value)));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not writable as JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static Object integral(Object value) {
        if (value instanceof Double d && d == Math.rint(d) && Math.abs(d) <= 9_007_199_254_740_992d) {
            return d.longValue();
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), integral(v)));
            return copy;
        }
        if (value instanceof Collection<?> items) {
            List<Object> copy = new ArrayList<>();
            items.forEach(item -> copy.add(integral(item)));
            return copy;
        }
        return value;
    }
}
