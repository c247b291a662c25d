package io.loopfree.sync.local.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class RateLimitWindowTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void countsUpToTheLimitThenRefusesUntilTheWindowEnds() {
        RateLimitWindow window = new RateLimitWindow(2, Duration.ofSeconds(10));

        RateLimitWindow.Decision first = window.acquire(T0);
        RateLimitWindow.Decision second = window.acquire(T0.plusSeconds(1));
        RateLimitWindow.Decision third = window.acquire(T0.plusMillis(2500));
        RateLimitWindow.Decision nextWindow = window.acquire(T0.plusSeconds(10));

        assertThat(first).extracting("allowed", "used", "remaining").containsExactly(true, 1, 1);
        assertThat(second).extracting("allowed", "used", "remaining").containsExactly(true, 2, 0);
        assertThat(third.allowed()).isFalse();
        assertThat(third.resetSeconds()).isEqualTo(8); // 7.5 s rounded up: a client waiting that long is never early
        assertThat(nextWindow).extracting("allowed", "used", "remaining").containsExactly(true, 1, 1);
    }

    @Test
    void aRefusedRequestIsNotCountedAndPeekCountsNothing() {
        RateLimitWindow window = new RateLimitWindow(1, Duration.ofSeconds(10));
        window.acquire(T0);
        window.acquire(T0);
        assertThat(window.peek(T0)).extracting("used", "remaining").containsExactly(1, 0);
        assertThat(window.peek(T0.plusSeconds(11))).extracting("used", "remaining").containsExactly(0, 1);
    }

    @Test
    void zeroIsUnlimited() {
        RateLimitWindow window = new RateLimitWindow(0, null);
        for (int i = 0; i < 1000; i++) {
            assertThat(window.acquire(T0).allowed()).isTrue();
        }
        assertThatThrownBy(() -> new RateLimitWindow(1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eachHeaderFamilyReportsTheSameWindow() {
        RateLimitWindow.Decision decision = new RateLimitWindow.Decision(true, 100, 40, 60, Duration.ofMillis(4200),
                Duration.ofSeconds(10));

        assertThat(RateLimitHeaders.IETF_DRAFT.headers(decision)).containsExactly(
                entry("RateLimit", "\"default\";r=60;t=5"), entry("RateLimit-Policy", "\"default\";q=100;w=10"));
        assertThat(RateLimitHeaders.IETF_OLD.headers(decision)).containsExactly(entry("RateLimit-Limit", "100"),
                entry("RateLimit-Remaining", "60"), entry("RateLimit-Reset", "5"));
        assertThat(RateLimitHeaders.X_RATELIMIT.headers(decision)).containsExactly(entry("X-RateLimit-Limit", "100"),
                entry("X-RateLimit-Remaining", "60"), entry("X-RateLimit-Reset", "5"));
        assertThat(RateLimitHeaders.HUBSPOT.headers(decision)).containsExactly(entry("X-HubSpot-RateLimit-Max", "100"),
                entry("X-HubSpot-RateLimit-Remaining", "60"),
                entry("X-HubSpot-RateLimit-Interval-Milliseconds", "10000"));
        assertThat(RateLimitHeaders.SALESFORCE.headers(decision))
                .containsExactly(entry("Sforce-Limit-Info", "api-usage=40/100"));
    }

    private static java.util.Map.Entry<String, String> entry(String name, String value) {
        return java.util.Map.entry(name, value);
    }
}
