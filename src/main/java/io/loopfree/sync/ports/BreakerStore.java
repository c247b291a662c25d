package io.loopfree.sync.ports;

import java.time.Instant;
import java.util.Optional;

import io.loopfree.sync.domain.valve.AccountKey;
import io.loopfree.sync.domain.valve.Breaker;

/**
 * The per-account breakers (one item per account, shared by every instance). Every change is one conditional write:
 * two instances never both win a probe or a drain, and a breaker is never reopened for less time than it is open.
 * (The processor reads the breakers of a record's targets in its record read, not here.)
 */
public interface BreakerStore {

    /** One strongly consistent read; {@link Breaker#closed} when there is no item. */
    Breaker find(AccountKey key);

    /**
     * Opens the breaker until {@code until} ({@code trips} + 1), unless it is already open longer. With a probe
     * token: only if that probe still holds it (a failed probe reopens).
     *
     * @return whether this call opened it
     */
    boolean open(AccountKey key, String reason, Instant now, Instant until, String usage, Optional<String> probeToken);

    /**
     * Claims the one half-open probe: the breaker is open past its reopen time (or half-open with a probe whose
     * lease ran out) and not paused.
     *
     * @return the probe's token when this call won it
     */
    Optional<String> claimProbe(AccountKey key, Instant now, Instant until);

    /** The probe succeeded: closed (trips 0), if {@code probeToken} still holds it. */
    boolean close(AccountKey key, String probeToken, Instant now);

    /** The operator's switch (the same attribute an operator edits in the console). */
    void setPaused(AccountKey key, boolean paused, Instant now);

    /**
     * Claims the drain of the writes held while the account was open or paused: only when it is closed, not
     * paused, has held writes and no live drain; the held count is taken (set to 0) by the claim.
     *
     * @param force claim even when no held writes are counted (an operator's resume or drain)
     * @return the drain's token and the held count it took
     */
    Optional<DrainClaim> claimDrain(AccountKey key, Instant now, Instant until, boolean force);

    /** A drain that did not get to the end gives back what is left, so the next chance drains again. */
    void releaseDrain(AccountKey key, DrainClaim claim, long stillHeld, Instant now);

    record DrainClaim(String token, long held) {
    }
}
