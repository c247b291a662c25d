package io.loopfree.sync.domain.state;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A record's agreed value of each unified field, with the origin of each: what every system of its connection
 * converges to. Values are as the systems' mappings produced them (normalized); null means empty.
 */
public record CanonicalFields(Map<String, Object> values, Map<String, FieldOrigin> origins) {

    public static final CanonicalFields EMPTY = new CanonicalFields(Map.of(), Map.of());

    public CanonicalFields {
        values = Collections.unmodifiableMap(new TreeMap<>(values));
        origins = Collections.unmodifiableMap(new TreeMap<>(origins));
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    public boolean has(String field) {
        return origins.containsKey(field);
    }
}
