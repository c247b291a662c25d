package io.loopfree.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.domain.ratelimit.RetryAfter;

class RetryAfterTest {

    static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");

    @Test
    void secondsAreRelativeToNow() {
        assertThat(RetryAfter.parse("120", NOW)).contains(NOW.plusSeconds(120));
        assertThat(RetryAfter.parse(" 0 ", NOW)).contains(NOW);
    }

    @Test
    void anHttpDateIsAnInstant() {
        assertThat(RetryAfter.parse("Fri, 20 Nov 2026 10:05:00 GMT", NOW)).contains(Instant.parse("2026-11-20T10:05:00Z"));
        // the RFC 9110 example
        assertThat(RetryAfter.parse("Fri, 31 Dec 1999 23:59:59 GMT", NOW)).contains(Instant.parse("1999-12-31T23:59:59Z"));
    }

    @Test
    void absurdSecondsAreCappedAndGarbageIsIgnored() {
        assertThat(RetryAfter.parse("99999999999999999999", NOW)).contains(NOW.plusSeconds(7L * 24 * 3600));
        assertThat(RetryAfter.parse("-5", NOW)).isEmpty();
        assertThat(RetryAfter.parse("1.5", NOW)).isEmpty();
        assertThat(RetryAfter.parse("soon", NOW)).isEmpty();
        assertThat(RetryAfter.parse("", NOW)).isEmpty();
        assertThat(RetryAfter.parse(null, NOW)).isEmpty();
    }
}
