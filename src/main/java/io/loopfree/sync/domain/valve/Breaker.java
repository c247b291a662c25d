package io.loopfree.sync.domain.valve;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One account's circuit breaker as stored (one item per account, shared by every instance) and the operator's pause
 * switch on it.
 *
 * @param reason      why it opened: {@code rate-limited} (a 429), {@code quota-threshold} (usage past the threshold),
 *                    {@code loop-suspected}, {@code probe-failed}
 * @param trips       consecutive openings without a successful probe (the backoff's exponent)
 * @param usage       the last usage figures that opened it, as text ({@code default 95/100 until …})
 * @param probeToken  who holds the half-open probe, until {@code probeUntil}
 * @param heldWrites  writes that waited because of it since the last drain (a drain is due when it is closed again)
 */
public record Breaker(
        AccountKey key,
        State state,
        boolean paused,
        String reason,
        Optional<Instant> openedAt,
        Optional<Instant> reopenAt,
        int trips,
        String usage,
        Optional<String> probeToken,
        Optional<Instant> probeUntil,
        long heldWrites) {

    public enum State {
        closed, open, half_open
    }

    public Breaker {
        Objects.requireNonNull(key, "key");
        state = state == null ? State.closed : state;
        reason = reason == null ? "" : reason;
        usage = usage == null ? "" : usage;
        openedAt = openedAt == null ? Optional.empty() : openedAt;
        reopenAt = reopenAt == null ? Optional.empty() : reopenAt;
        probeToken = probeToken == null ? Optional.empty() : probeToken;
        probeUntil = probeUntil == null ? Optional.empty() : probeUntil;
    }

    /** No item: closed, not paused, nothing held. */
    public static Breaker closed(AccountKey key) {
        return new Breaker(key, State.closed, false, "", Optional.empty(), Optional.empty(), 0, "", Optional.empty(),
                Optional.empty(), 0);
    }

    /** The same breaker as this instance now knows it to be open (after it opened it itself). */
    public Breaker openedUntil(String why, Instant at, Instant until) {
        return new Breaker(key, State.open, paused, why, Optional.of(at), Optional.of(until), trips + 1, usage,
                Optional.empty(), Optional.empty(), heldWrites);
    }

    public Breaker asClosed() {
        return new Breaker(key, State.closed, paused, "", openedAt, Optional.empty(), 0, usage, Optional.empty(),
                Optional.empty(), heldWrites);
    }
}
