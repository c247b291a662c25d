package io.loopfree.sync.domain.text;

/**
 * Text that came from a request (event ids, header values, parser messages quoting a body...) made fit for a log
 * line or an error body: control characters, quotes, backslashes and lone surrogates escaped, so that nothing a
 * sender writes can forge or break a line; and bounded, so that no sender can write 10 KB lines. The one rule for
 * everything request-derived that is logged or answered back.
 */
public final class Untrusted {

    /** Longest excerpt kept, in characters; the rest is replaced by a count. */
    public static final int MAX_CHARS = 120;

    private Untrusted() {
    }

    /** The value escaped and cut to {@link #MAX_CHARS}; {@code -} for null. */
    public static String text(String value) {
        return text(value, MAX_CHARS);
    }

    public static String text(String value, int maxChars) {
        if (value == null) {
            return "-";
        }
        int length = value.length();
        int keep = Math.min(length, maxChars);
        StringBuilder out = new StringBuilder(keep + 16);
        for (int i = 0; i < keep; i++) {
            char c = value.charAt(i);
            if (c == '\\' || c == '"') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == '\u2028' || c == '\u2029'
                    || c == '\ufeff' || (c >= '\ufff0')) {
                out.append(String.format("\\u%04x", (int) c));
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1))) {
                if (i + 1 < keep) {
                    out.append(c).append(value.charAt(++i));
                }
            } else if (Character.isSurrogate(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (length > keep) {
            out.append("…(+").append(length - keep).append(" chars)");
        }
        return out.toString();
    }

    /** Every element through {@link #text(String)}, and at most {@code maxItems} of them. */
    public static String list(java.util.List<String> values, int maxItems) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < Math.min(values.size(), maxItems); i++) {
            out.append(i == 0 ? "" : ", ").append(text(values.get(i), 80));
        }
        if (values.size() > maxItems) {
            out.append(", …(+").append(values.size() - maxItems).append(")");
        }
        return out.append(']').toString();
    }
}
