package io.loopfree.sync.local.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import org.junit.jupiter.api.Test;

class UpdatedAtTickerTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00.123456Z");

    @Test
    void takesTheClockAtTheProvidersPrecision() {
        assertThat(UpdatedAtTicker.next(NOW, null, ChronoUnit.MILLIS)).isEqualTo("2026-01-01T00:00:00.123Z");
        assertThat(UpdatedAtTicker.next(NOW, null, ChronoUnit.SECONDS)).isEqualTo("2026-01-01T00:00:00Z");
    }

    @Test
    void movesStrictlyForwardWithinOneTick() {
        Instant first = UpdatedAtTicker.next(NOW, null, ChronoUnit.MILLIS);
        Instant second = UpdatedAtTicker.next(NOW, first, ChronoUnit.MILLIS);
        assertThat(second).isEqualTo("2026-01-01T00:00:00.124Z");
        assertThat(UpdatedAtTicker.next(NOW, Instant.parse("2026-01-01T00:00:00Z"), ChronoUnit.SECONDS))
                .isEqualTo("2026-01-01T00:00:01Z");
    }

    @Test
    void evenWhenTheClockGoesBack() {
        Instant previous = Instant.parse("2026-01-01T00:00:05Z");
        assertThat(UpdatedAtTicker.next(NOW, previous, ChronoUnit.MILLIS)).isEqualTo("2026-01-01T00:00:05.001Z");
    }
}
