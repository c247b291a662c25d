package io.loopfree.sync.ports;

import java.time.Instant;

import io.loopfree.sync.domain.valve.DrainRequest;

/**
 * Asks for an account's drain at a later time — its breaker's reopen time — so that the writes the breaker held go
 * out then ({@link DrainRequest}, a delayed message on the processing queue). A wait longer than one delay allows is
 * carried in steps: the processor sends a request that is not due yet again.
 */
public interface DrainScheduler {

    /**
     * Best effort: a failure is logged, never thrown (the held writes still go out with the account's next message or
     * the reconciler's next run).
     */
    void schedule(DrainRequest request, Instant now);
}
