package io.loopfree.sync.domain.valve;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.domain.ratelimit.RateLimitUsage;

class BreakerRulesTest {

    private static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");
    private static final AccountKey ACCOUNT = new AccountKey("acme", "hubspot", "62515");
    private static final Duration DEFAULT_OPEN = Duration.ofSeconds(60);

    @Test
    void a429OpensUntilRetryAfterElseTheResetElseTheDefault() {
        assertThat(BreakerRules.afterResponse(429, List.of(), Optional.of(NOW.plusSeconds(7)), 0.9, DEFAULT_OPEN, NOW))
                .get().isEqualTo(new BreakerRules.Trip(BreakerRules.RATE_LIMITED, NOW.plusSeconds(7), ""));
        RateLimitUsage usage = new RateLimitUsage("default", 100, 0, Optional.of(NOW.plusSeconds(20)));
        assertThat(BreakerRules.afterResponse(429, List.of(usage), Optional.empty(), 0.9, DEFAULT_OPEN, NOW))
                .get().extracting(BreakerRules.Trip::until).isEqualTo(NOW.plusSeconds(20));
        assertThat(BreakerRules.afterResponse(429, List.of(), Optional.empty(), 0.9, DEFAULT_OPEN, NOW))
                .get().extracting(BreakerRules.Trip::until).isEqualTo(NOW.plus(DEFAULT_OPEN));
    }

    @Test
    void usageAtTheThresholdOpensUntilTheResetAndBelowItNothingHappens() {
        RateLimitUsage at90 = new RateLimitUsage("default", 100, 10, Optional.of(NOW.plusSeconds(30)));
        RateLimitUsage at89 = new RateLimitUsage("default", 100, 11, Optional.of(NOW.plusSeconds(30)));
        assertThat(BreakerRules.afterResponse(200, List.of(at90), Optional.empty(), 0.9, DEFAULT_OPEN, NOW))
                .get().isEqualTo(new BreakerRules.Trip(BreakerRules.QUOTA_THRESHOLD, NOW.plusSeconds(30),
                        "default 90/100 until " + NOW.plusSeconds(30)));
        assertThat(BreakerRules.afterResponse(200, List.of(at89), Optional.empty(), 0.9, DEFAULT_OPEN, NOW)).isEmpty();
        assertThat(BreakerRules.afterResponse(200, List.of(), Optional.empty(), 0.9, DEFAULT_OPEN, NOW)).isEmpty();
    }

    @Test
    void gates() {
        Breaker closed = Breaker.closed(ACCOUNT);
        assertThat(BreakerRules.admit(closed, NOW)).isInstanceOf(BreakerRules.Pass.class);
        Breaker open = closed.openedUntil(BreakerRules.RATE_LIMITED, NOW, NOW.plusSeconds(30));
        assertThat(BreakerRules.admit(open, NOW.plusSeconds(29))).isInstanceOf(BreakerRules.Hold.class);
        assertThat(BreakerRules.admit(open, NOW.plusSeconds(30))).isInstanceOf(BreakerRules.Probe.class);
        Breaker probing = new Breaker(ACCOUNT, Breaker.State.half_open, false, "", Optional.empty(), Optional.empty(),
                1, "", Optional.of("t"), Optional.of(NOW.plusSeconds(30)), 0);
        assertThat(BreakerRules.admit(probing, NOW)).isInstanceOf(BreakerRules.Hold.class);
        assertThat(BreakerRules.admit(probing, NOW.plusSeconds(30))).as("its holder vanished")
                .isInstanceOf(BreakerRules.Probe.class);
        Breaker paused = new Breaker(ACCOUNT, Breaker.State.closed, true, "", Optional.empty(), Optional.empty(), 0,
                "", Optional.empty(), Optional.empty(), 0);
        assertThat(BreakerRules.admit(paused, NOW)).isEqualTo(new BreakerRules.Hold("paused", Optional.empty()));
    }

    @Test
    void backoffDoublesIsCappedAndNeverBeforeTheSignal() {
        Duration base = Duration.ofSeconds(30);
        Duration max = Duration.ofMinutes(10);
        assertThat(BreakerRules.backoff(1, base, max, Optional.empty(), NOW)).isEqualTo(NOW.plusSeconds(60));
        assertThat(BreakerRules.backoff(3, base, max, Optional.empty(), NOW)).isEqualTo(NOW.plusSeconds(240));
        assertThat(BreakerRules.backoff(30, base, max, Optional.empty(), NOW)).isEqualTo(NOW.plus(max));
        assertThat(BreakerRules.backoff(1, base, max, Optional.of(NOW.plusSeconds(500)), NOW))
                .isEqualTo(NOW.plusSeconds(500));
    }

    @Test
    void loopDetectorWindowsBaselineAndSuspicion() {
        Duration window = Duration.ofMinutes(5);
        Instant start = LoopDetector.windowStart(Instant.parse("2026-11-20T10:07:31Z"), window);
        assertThat(start).isEqualTo(Instant.parse("2026-11-20T10:05:00Z"));
        assertThat(LoopDetector.previousWindows(start, window, 2)).containsExactly(
                Instant.parse("2026-11-20T10:00:00Z"), Instant.parse("2026-11-20T09:55:00Z"));
        assertThat(LoopDetector.baseline(List.of(0L, 0L, 0L), 50)).isEqualTo(50.0);
        assertThat(LoopDetector.baseline(List.of(300L, 100L, 200L), 50)).isEqualTo(200.0);
        assertThat(LoopDetector.suspect(250, 50, 5)).isFalse();
        assertThat(LoopDetector.suspect(251, 50, 5)).isTrue();
    }
}
