package io.loopfree.sync.ports;

import java.time.Duration;
import java.time.Instant;

import io.loopfree.sync.domain.dedup.DedupResult;
import io.loopfree.sync.domain.dedup.EventKey;

/** Remembers which events were seen, for a bounded time. */
public interface DedupStore {

    /**
     * Claims an event in one conditional write: the first live claim wins; an expired claim counts as absent.
     * Safe under concurrency: of two simultaneous claims exactly one is {@code FirstSeen}.
     */
    DedupResult claim(EventKey key, Instant now, Duration ttl);
}
