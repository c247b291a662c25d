package io.loopfree.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.domain.change.CanonicalJson;
import io.loopfree.sync.domain.change.FieldSet;
import io.loopfree.sync.domain.change.FieldType;

/** Normalization quirks and the canonical hash: the same state must hash the same, whatever the payload looked like. */
class FieldNormalizationTest {

    @Test
    void booleansFromEveryProviderSpelling() {
        for (Object yes : List.of(true, 1, 1L, 1.0, "true", "TRUE", " 1 ", "yes")) {
            assertThat(FieldType.bool.normalize(yes)).as("%s", yes).isEqualTo(true);
        }
        for (Object no : List.of(false, 0, "false", "0", "No")) {
            assertThat(FieldType.bool.normalize(no)).as("%s", no).isEqualTo(false);
        }
        assertThat(FieldType.bool.normalize("")).isNull();
        assertThatThrownBy(() -> FieldType.bool.normalize("maybe")).hasMessageContaining("not a boolean");
        assertThatThrownBy(() -> FieldType.bool.normalize(2)).hasMessageContaining("not a boolean");
    }

    @Test
    void timestampsToOneFixedPrecisionInUtc() {
        String expected = "2026-11-20T09:00:00.000Z";
        for (Object same : List.of("2026-11-20T09:00:00Z", "2026-11-20T09:00:00.000Z", "2026-11-20T10:00:00+01:00",
                "2026-11-20T09:00:00", 1795165200000L, "1795165200000")) {
            assertThat(FieldType.timestamp.normalize(same)).as("%s", same).isEqualTo(expected);
        }
        assertThat(FieldType.timestamp.normalize("2026-11-20T09:00:00.123456Z")).isEqualTo("2026-11-20T09:00:00.123Z");
        assertThat(FieldType.timestamp.normalize("2026-11-20T09:00:00.123Z"))
                .isNotEqualTo(FieldType.timestamp.normalize("2026-11-20T09:00:00Z"));
        assertThatThrownBy(() -> FieldType.timestamp.normalize("yesterday")).hasMessageContaining("ISO-8601");
    }

    @Test
    void textIsTrimmedAndBlankIsEmpty() {
        assertThat(FieldType.string.normalize("  Ada Lovelace \t")).isEqualTo("Ada Lovelace");
        assertThat(FieldType.string.normalize("   ")).isNull();
        assertThat(FieldType.string.normalize(42)).isEqualTo("42");
        assertThat(FieldType.string.normalize(1246965L)).isEqualTo("1246965");
    }

    @Test
    void numbersAreExactAndCanonical() {
        BigDecimal expected = new BigDecimal("19.9");
        for (Object same : List.of(19.9, 19.90, "19.90", " 19.9 ", new BigDecimal("19.900"))) {
            assertThat(FieldType.number.normalize(same)).as("%s", same).isEqualTo(expected);
        }
        assertThat(FieldType.number.normalize(1000)).isEqualTo(FieldType.number.normalize("1E+3"));
        assertThat(CanonicalJson.write(FieldType.number.normalize("1E+3"))).isEqualTo("1000");
        assertThat(CanonicalJson.write(FieldType.number.normalize(-0.0))).isEqualTo("0");
        assertThat(CanonicalJson.write(FieldType.number.normalize("12345678901234567890")))
                .as("no double rounding").isEqualTo("12345678901234567890");
    }

    @Test
    void canonicalJsonSortsKeysByCodeUnitsAndEscapesLikeJcs() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("b", List.of(true, false));
        value.put("a", "line\nbreak \"quoted\" \u0001 é €");
        value.put("A", null);
        value.put("\u20ac", 1);
        assertThat(CanonicalJson.write(value))
                .isEqualTo("{\"A\":null,\"a\":\"line\\nbreak \\\"quoted\\\" \\u0001 é €\",\"b\":[true,false],\"€\":1}");
    }

    @Test
    void theHashIgnoresKeyOrderAndPayloadQuirks() {
        FieldSet first = FieldSet.of(normalize(Map.of("name", "Ada ", "subscribed", 1, "score", "19.90",
                "lastLoginAt", "2026-11-20T10:00:00+01:00")));
        Map<String, Object> reordered = new TreeMap<>(java.util.Comparator.reverseOrder());
        reordered.putAll(Map.of("subscribed", "true", "score", 19.9, "name", "Ada", "lastLoginAt", 1795165200000L));
        FieldSet second = FieldSet.of(normalize(reordered));
        assertThat(second.hash()).isEqualTo(first.hash()).hasSize(64);
        assertThat(FieldSet.of(normalize(Map.of("name", "Ada", "subscribed", 0, "score", 19.9,
                "lastLoginAt", 1795165200000L))).hash()).isNotEqualTo(first.hash());
    }

    @Test
    void aPartialChangeLandsOnTopOfTheKnownFields() {
        FieldSet known = FieldSet.of(Map.of("email", "a@example.com", "firstname", "Ada"));
        FieldSet change = FieldSet.of(Map.of("firstname", "Augusta"));
        assertThat(known.overlay(change).values()).containsOnly(Map.entry("email", "a@example.com"),
                Map.entry("firstname", "Augusta"));
    }

    private static Map<String, Object> normalize(Map<String, Object> raw) {
        Map<String, FieldType> types = Map.of("name", FieldType.string, "subscribed", FieldType.bool,
                "score", FieldType.number, "lastLoginAt", FieldType.timestamp);
        Map<String, Object> normalized = new TreeMap<>();
        raw.forEach((k, v) -> normalized.put(k, types.get(k).normalize(v)));
        return normalized;
    }
}
