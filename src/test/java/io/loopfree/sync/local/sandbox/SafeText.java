package io.loopfree.sync.local.sandbox;

/**
 * Request-derived text (user names, change agents, field names, idempotency keys) ends up in the audit and the
 * log; a client must not be able to flood them or forge log lines, so such text is bounded and escaped first.
 */
final class SafeText {

    static final int MAX = 200;

    private SafeText() {
    }

    /** At most {@link #MAX} characters, control characters escaped as {@code \\uXXXX}; null stays null. */
    static String of(String value) {
        if (value == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), MAX) + 8);
        for (int i = 0; i < value.length() && out.length() < MAX; i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (out.length() >= MAX && value.length() > MAX) {
            out.setLength(MAX);
            out.append('…');
        }
        return out.toString();
    }
}
