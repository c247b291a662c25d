package io.loopfree.sync.domain.change;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * How one tracked field's raw provider value is normalized, so that the same state always hashes the same:
 * providers send {@code true}, {@code 1} or {@code "true"}; {@code "…:00.123Z"} or {@code "…:00Z"} or epoch
 * milliseconds; {@code "Ada "} with a trailing space; {@code 19.90} or {@code "19.9"}.
 * A value that cannot be read as its type is a {@link MappingException}: a wrong guess would corrupt the record.
 */
public enum FieldType {

    /** Trimmed text; blank becomes null (providers send "" and null for "no value" interchangeably). */
    string {
        @Override
        Object normalizeNonNull(Object raw) {
            if (raw instanceof Map || raw instanceof Collection) {
                throw new IllegalArgumentException("an object or array is not a string");
            }
            String text = raw instanceof Number number ? number(number).toPlainString() : raw.toString().strip();
            return text.isEmpty() ? null : text;
        }
    },
    /** true/false from booleans, 1/0, and the strings "true"/"false"/"1"/"0"/"yes"/"no" (any case). */
    bool {
        @Override
        Object normalizeNonNull(Object raw) {
            if (raw instanceof Boolean value) {
                return value;
            }
            if (raw instanceof Number number) {
                BigDecimal value = number(number);
                if (value.compareTo(BigDecimal.ONE) == 0) {
                    return true;
                }
                if (value.signum() == 0) {
                    return false;
                }
            }
            if (raw instanceof String text) {
                switch (text.strip().toLowerCase(Locale.ROOT)) {
                    case "true", "1", "yes" -> {
                        return true;
                    }
                    case "false", "0", "no" -> {
                        return false;
                    }
                    case "" -> {
                        return null;
                    }
                    default -> {
                    }
                }
            }
            throw new IllegalArgumentException("'" + raw + "' is not a boolean");
        }
    },
    /** Exact decimal without trailing zeros; numeric strings are read too. */
    number {
        @Override
        Object normalizeNonNull(Object raw) {
            if (raw instanceof Number value) {
                return canonical(number(value));
            }
            if (raw instanceof String text && !text.isBlank()) {
                try {
                    return canonical(new BigDecimal(text.strip()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + text + "' is not a number");
                }
            }
            if (raw instanceof String) {
                return null;
            }
            throw new IllegalArgumentException("'" + raw + "' is not a number");
        }
    },
    /** An instant, as UTC ISO-8601 at millisecond precision; reads ISO-8601 with any offset, or epoch millis. */
    timestamp {
        @Override
        Object normalizeNonNull(Object raw) {
            if (raw instanceof String text && text.isBlank()) {
                return null;
            }
            return formatInstant(parseInstant(raw));
        }
    },
    /**
     * An instant a system keeps to the second only (it truncates what we write): normalized to the whole second,
     * so that the echo of our write hashes like the write.
     */
    timestampSeconds {
        @Override
        Object normalizeNonNull(Object raw) {
            if (raw instanceof String text && text.isBlank()) {
                return null;
            }
            return formatInstant(parseInstant(raw).truncatedTo(ChronoUnit.SECONDS));
        }
    },
    /** Any JSON value kept as a structure (objects with sorted keys, numbers canonical, strings as they are). */
    json {
        @Override
        Object normalizeNonNull(Object raw) {
            return structure(raw);
        }
    };

    private static final DateTimeFormatter MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    abstract Object normalizeNonNull(Object raw);

    /**
     * @return the normalized value ({@code null}, String, Boolean, BigDecimal, or for {@link #json} a sorted
     *         Map / List of those)
     * @throws IllegalArgumentException when the value cannot be read as this type
     */
    public Object normalize(Object raw) {
        return raw == null ? null : normalizeNonNull(raw);
    }

    /** Lenient name lookup for mapping files: {@code "boolean"} and {@code "bool"} both mean {@link #bool}. */
    public static FieldType parse(String name) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return switch (key) {
            case "string", "text" -> string;
            case "boolean", "bool" -> bool;
            case "number", "decimal", "integer" -> number;
            case "timestamp", "datetime", "instant" -> timestamp;
            case "timestamp-seconds", "timestamp_seconds" -> timestampSeconds;
            case "json", "object", "array" -> json;
            default -> throw new IllegalArgumentException("unknown field type '" + name + "'");
        };
    }

    /** ISO-8601 with any offset (or none, read as UTC), or a number of epoch milliseconds. */
    public static Instant parseInstant(Object raw) {
        if (raw instanceof Number millis) {
            return Instant.ofEpochMilli(number(millis).longValueExact());
        }
        String text = String.valueOf(raw).strip();
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException withOffset) {
            try {
                return java.time.LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException withoutOffset) {
                if (text.matches("-?\\d{1,15}")) {
                    return Instant.ofEpochMilli(Long.parseLong(text));
                }
                throw new IllegalArgumentException("'" + text + "' is not an ISO-8601 timestamp");
            }
        }
    }

    /** The fixed precision every timestamp is kept at. */
    public static String formatInstant(Instant instant) {
        return MILLIS.format(instant.truncatedTo(ChronoUnit.MILLIS));
    }

    private static BigDecimal number(Number value) {
        if (value instanceof BigDecimal decimal) {
            return decimal;
        }
        if (value instanceof Double || value instanceof Float) {
            // Double.toString is the shortest text that reads back to the same double: 19.9, not 19.899999…
            return new BigDecimal(value.toString());
        }
        return new BigDecimal(value.toString());
    }

    private static BigDecimal canonical(BigDecimal value) {
        return value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
    }

    private static Object structure(Object raw) {
        if (raw == null || raw instanceof String || raw instanceof Boolean) {
            return raw;
        }
        if (raw instanceof Number value) {
            return canonical(number(value));
        }
        if (raw instanceof Map<?, ?> map) {
            Map<String, Object> sorted = new TreeMap<>();
            map.forEach((k, v) -> sorted.put(String.valueOf(k), structure(v)));
            return sorted;
        }
        if (raw instanceof Collection<?> items) {
            List<Object> list = new ArrayList<>();
            items.forEach(item -> list.add(structure(item)));
            return list;
        }
        return raw.toString();
    }
}
