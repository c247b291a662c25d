package io.loopfree.sync.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.domain.dedup.DedupResult;
import io.loopfree.sync.domain.dedup.EventKey;
import io.loopfree.sync.domain.reconcile.ReconcileJob;
import io.loopfree.sync.domain.reconcile.Watermark;
import io.loopfree.sync.ports.DedupStore;
import io.loopfree.sync.ports.WatermarkStore;
import io.loopfree.sync.support.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The DynamoDB adapters against DynamoDB Local over the wire: conditions, TTL semantics, races. */
@QuarkusTest
@TestProfile(Profiles.Processor.class)
class DynamoStoresTest {

    static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

    @Inject
    DedupStore dedup;

    @Inject
    WatermarkStore watermarks;

    @Test
    void ofConcurrentClaimsOfOneEventExactlyOneIsFirst() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                EventKey key = new EventKey("app", "acme", "race-" + UUID.randomUUID());
                CountDownLatch start = new CountDownLatch(1);
                Callable<DedupResult> claim = () -> {
                    start.await();
                    return dedup.claim(key, T0, Duration.ofHours(72));
                };
                List<Future<DedupResult>> results = new ArrayList<>(List.of(pool.submit(claim), pool.submit(claim)));
                start.countDown();
                long first = 0;
                for (Future<DedupResult> result : results) {
                    first += result.get() instanceof DedupResult.FirstSeen ? 1 : 0;
                }
                assertThat(first).as("round " + round).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aDuplicateReturnsTheOriginalClaimTime() {
        EventKey key = new EventKey("app", "acme", "dup-" + UUID.randomUUID());
        assertThat(dedup.claim(key, T0, Duration.ofHours(1))).isInstanceOf(DedupResult.FirstSeen.class);
        assertThat(dedup.claim(key, T0.plusSeconds(5), Duration.ofHours(1)))
                .isEqualTo(new DedupResult.Duplicate(T0));
    }

    @Test
    void anExpiredClaimCountsAsAbsentEvenBeforeDynamoDbDeletesIt() {
        EventKey key = new EventKey("app", "acme", "expired-" + UUID.randomUUID());
        assertThat(dedup.claim(key, T0, Duration.ofSeconds(60))).isInstanceOf(DedupResult.FirstSeen.class);
        assertThat(dedup.claim(key, T0.plusSeconds(59), Duration.ofSeconds(60))).isInstanceOf(DedupResult.Duplicate.class);
        assertThat(dedup.claim(key, T0.plusSeconds(60), Duration.ofSeconds(60))).isInstanceOf(DedupResult.FirstSeen.class);
    }

    @Test
    void aWatermarkIsNeverOverwrittenByARunThatStartedEarlier() {
        ReconcileJob job = new ReconcileJob("hubspot", "portal-" + UUID.randomUUID(), "contact");
        Watermark later = Watermark.afterRun(job, Optional.empty(), T0.plusSeconds(900), Watermark.RunStatus.SUCCEEDED);
        Watermark earlier = Watermark.afterRun(job, Optional.empty(), T0, Watermark.RunStatus.SUCCEEDED);

        assertThat(watermarks.load(job)).isEmpty();
        assertThat(watermarks.save(later)).isTrue();
        assertThat(watermarks.save(earlier)).isFalse();
        assertThat(watermarks.load(job)).contains(later);
    }
}
