package io.loopfree.sync.domain.valve;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.loopfree.sync.domain.ratelimit.RateLimitHeaders;
import io.loopfree.sync.domain.ratelimit.RateLimitUsage;

/** The breaker's decisions, pure: may a call be made now, and does a response open the breaker, until when. */
public final class BreakerRules {

    public static final String RATE_LIMITED = "rate-limited";
    public static final String QUOTA_THRESHOLD = "quota-threshold";
    public static final String LOOP_SUSPECTED = "loop-suspected";
    public static final String PROBE_FAILED = "probe-failed";
    public static final String PAUSED = "paused";

    private BreakerRules() {
    }

    /** What the breaker allows for one call. */
    public sealed interface Gate {
    }

    /** Closed: call. */
    public record Pass() implements Gate {
    }

    /** Open past its reopen time (or a probe whose holder vanished): call only after winning the probe claim. */
    public record Probe() implements Gate {
    }

    /** Do not call: paused, open, or another instance is probing; {@code until} when known. */
    public record Hold(String reason, Optional<Instant> until) implements Gate {
    }

    public static Gate admit(Breaker breaker, Instant now) {
        if (breaker.paused()) {
            return new Hold(PAUSED, Optional.empty());
        }
        switch (breaker.state()) {
            case closed:
                return new Pass();
            case open:
                if (breaker.reopenAt().isPresent() && now.isBefore(breaker.reopenAt().get())) {
                    return new Hold(breaker.reason(), breaker.reopenAt());
                }
                return new Probe();
            default: // half_open
                if (breaker.probeUntil().isPresent() && now.isBefore(breaker.probeUntil().get())) {
                    return new Hold("probing", breaker.probeUntil());
                }
                return new Probe();
        }
    }

    /** Why and until when a response opens the breaker. */
    public record Trip(String reason, Instant until, String usage) {
    }

    /**
     * A 429 opens it until {@code Retry-After} (else the reset the headers give, else {@code defaultOpen}); usage at
     * or past {@code threshold} (0..1) of a policy's quota opens it until that policy's reset (else
     * {@code defaultOpen}). Any other response leaves it as it is.
     */
    public static Optional<Trip> afterResponse(int status, List<RateLimitUsage> usages, Optional<Instant> retryAt,
            double threshold, Duration defaultOpen, Instant now) {
        Optional<RateLimitUsage> tightest = RateLimitHeaders.tightest(usages);
        String usage = tightest.map(RateLimitUsage::describe).orElse("");
        if (status == 429) {
            Instant until = retryAt.or(() -> tightest.flatMap(RateLimitUsage::resetAt))
                    .filter(at -> at.isAfter(now)).orElse(now.plus(defaultOpen));
            return Optional.of(new Trip(RATE_LIMITED, until, usage));
        }
        if (tightest.isPresent() && tightest.get().usedFraction().get() >= threshold) {
            Instant until = tightest.get().resetAt().filter(at -> at.isAfter(now)).orElse(now.plus(defaultOpen));
            return Optional.of(new Trip(QUOTA_THRESHOLD, until, usage));
        }
        return Optional.empty();
    }

    /**
     * A failed probe reopens with backoff: {@code base · 2^trips}, capped at {@code max}, and never before what the
     * provider signalled.
     */
    public static Instant backoff(int trips, Duration base, Duration max, Optional<Instant> signalled, Instant now) {
        long factor = 1L << Math.min(Math.max(trips, 0), 20);
        Duration wait = base.multipliedBy(factor);
        if (wait.compareTo(max) > 0 || wait.isNegative()) {
            wait = max;
        }
        Instant backedOff = now.plus(wait);
        return signalled.filter(at -> at.isAfter(backedOff)).orElse(backedOff);
    }
}
