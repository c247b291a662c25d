package io.loopfree.sync.domain.change;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Canonical JSON text of normalized values, after RFC 8785 (JCS): object members sorted by their names' UTF-16
 * code units, no insignificant whitespace, strings escaped as ECMAScript's JSON.stringify does (short escapes,
 * other control characters as lower-case {@code \\u} escapes, everything else literal).
 * <p>
 * One deliberate difference: numbers are written as exact plain decimals ({@code 19.9}, {@code 12345678901234567890})
 * rather than through IEEE-754 doubles, so two large ids never share a hash. Written here, over the values the
 * normalizer produces, because the only RFC 8785 library on Maven Central (io.github.erdtman:
 * java-json-canonicalization 1.1) had its one release in 2018, against the draft, and goes through doubles.
 * <p>
 * Accepted values: {@code null}, {@link String}, {@link Boolean}, {@link BigDecimal} (other {@link Number}s are
 * converted), {@link Map} with string keys, {@link Collection}.
 */
public final class CanonicalJson {

    private CanonicalJson() {
    }

    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        append(out, value);
        return out.toString();
    }

    private static void append(StringBuilder out, Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String text) {
            appendString(out, text);
        } else if (value instanceof Boolean bool) {
            out.append(bool ? "true" : "false");
        } else if (value instanceof BigDecimal number) {
            out.append(plain(number));
        } else if (value instanceof Number number) {
            out.append(plain(new BigDecimal(number.toString())));
        } else if (value instanceof Map<?, ?> map) {
            List<String> names = new ArrayList<>();
            for (Object key : map.keySet()) {
                names.add(String.valueOf(key));
            }
            names.sort(null); // String.compareTo compares UTF-16 code units, as RFC 8785 §3.2.3 asks
            out.append('{');
            for (int i = 0; i < names.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                appendString(out, names.get(i));
                out.append(':');
                append(out, map.get(names.get(i)));
            }
            out.append('}');
        } else if (value instanceof Collection<?> list) {
            out.append('[');
            boolean first = true;
            for (Object item : list) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                append(out, item);
            }
            out.append(']');
        } else {
            throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
        }
    }

    /** Exact decimal, no exponent, no trailing zeros: 1.50 → 1.5, 1E+3 → 1000, -0 → 0. */
    static String plain(BigDecimal number) {
        if (number.signum() == 0) {
            return "0";
        }
        return number.stripTrailingZeros().toPlainString();
    }

    private static void appendString(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
