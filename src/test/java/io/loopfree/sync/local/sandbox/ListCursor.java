package io.loopfree.sync.local.sandbox;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Optional;

/**
 * The list endpoint's opaque cursor: the sort key (updated_at, id) of the last record returned. Because it names
 * a position in the order rather than an offset, records edited while a client pages move behind the cursor and
 * are listed again later instead of shifting the page boundaries (nothing is skipped).
 */
record ListCursor(Instant updatedAt, String id) implements Comparable<ListCursor> {

    String encode() {
        String plain = updatedAt.toString() + "|" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /** @return empty when the text is not a cursor this sandbox issued */
    static Optional<ListCursor> decode(String text) {
        try {
            String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
            int bar = plain.indexOf('|');
            if (bar <= 0 || bar == plain.length() - 1) {
                return Optional.empty();
            }
            return Optional.of(new ListCursor(Instant.parse(plain.substring(0, bar)), plain.substring(bar + 1)));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            return Optional.empty();
        }
    }

    @Override
    public int compareTo(ListCursor other) {
        int byTime = updatedAt.compareTo(other.updatedAt);
        return byTime != 0 ? byTime : id.compareTo(other.id);
    }
}
