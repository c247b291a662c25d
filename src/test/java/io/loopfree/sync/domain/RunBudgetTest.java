package io.loopfree.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.domain.reconcile.RunBudget;

/** Where a run stops listing: the configured budget, or the Lambda context's deadline minus the margin. */
class RunBudgetTest {

    static final Instant START = Instant.parse("2026-11-20T10:00:00Z");

    @Test
    void withoutAContextTheConfiguredBudgetBounds() {
        assertThat(RunBudget.end(START, Duration.ofMinutes(4), Optional.empty(), Duration.ofSeconds(75)))
                .isEqualTo(START.plus(Duration.ofMinutes(4)));
    }

    @Test
    void theContextsDeadlineMinusTheMarginBoundsWhenItComesFirst() {
        Optional<Instant> killedAt = Optional.of(START.plusSeconds(120));
        assertThat(RunBudget.end(START, Duration.ofMinutes(4), killedAt, Duration.ofSeconds(75)))
                .isEqualTo(START.plusSeconds(45));
    }

    @Test
    void theConfiguredBudgetStaysTheCapUnderALongTimeout() {
        Optional<Instant> killedAt = Optional.of(START.plus(Duration.ofMinutes(15)));
        assertThat(RunBudget.end(START, Duration.ofMinutes(4), killedAt, Duration.ofSeconds(75)))
                .isEqualTo(START.plus(Duration.ofMinutes(4)));
    }
}
