package io.loopfree.sync.local.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class ListCursorTest {

    @Test
    void roundTripsAndIsOpaqueUrlSafeText() {
        ListCursor cursor = new ListCursor(Instant.parse("2026-01-01T00:00:00.123Z"), "rich_12");
        String encoded = cursor.encode();
        assertThat(encoded).matches("[A-Za-z0-9_-]+");
        assertThat(ListCursor.decode(encoded)).contains(cursor);
    }

    @Test
    void rejectsWhatItDidNotIssue() {
        assertThat(ListCursor.decode("not a cursor!")).isEmpty();
        assertThat(ListCursor.decode("")).isEmpty();
        assertThat(ListCursor.decode(java.util.Base64.getUrlEncoder().encodeToString("yesterday|x".getBytes()))).isEmpty();
    }

    @Test
    void ordersByUpdatedAtThenId() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(new ListCursor(t, "b")).isGreaterThan(new ListCursor(t, "a"));
        assertThat(new ListCursor(t, "a")).isGreaterThan(new ListCursor(t.minusMillis(1), "z"));
    }
}
