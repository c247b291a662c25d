package io.loopfree.sync.app;

import java.time.Clock;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.dedup.DedupResult;
import io.loopfree.sync.domain.dedup.EventKey;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.ports.DedupStore;

/**
 * Runs one envelope through the layers, cheapest first. The walking skeleton has the first layer, dedup; the
 * normalize, echo and apply layers come after it (see docs/ARCHITECTURE.md).
 */
@ApplicationScoped
public class ProcessorService {

    private final DedupStore dedup;
    private final Clock clock;
    private final Duration dedupTtl;

    public ProcessorService(DedupStore dedup, Clock clock, SyncConfig config) {
        this.dedup = dedup;
        this.clock = clock;
        this.dedupTtl = config.dedup().ttl();
    }

    public Outcome process(Envelope envelope) {
        EventKey key = new EventKey(envelope.system(), envelope.tenant(), envelope.eventId());
        DedupResult claim = dedup.claim(key, clock.instant(), dedupTtl);
        if (claim instanceof DedupResult.Duplicate) {
            return Outcome.DUPLICATE;
        }
        return Outcome.ACCEPTED;
    }
}
