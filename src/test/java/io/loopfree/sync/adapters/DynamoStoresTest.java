package io.loopfree.sync.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.domain.change.FieldSet;
import io.loopfree.sync.domain.dedup.Claim;
import io.loopfree.sync.domain.dedup.DedupEntry;
import io.loopfree.sync.domain.dedup.EventKey;
import io.loopfree.sync.domain.link.LinkKey;
import io.loopfree.sync.domain.marker.MarkedWrite;
import io.loopfree.sync.domain.marker.Marker;
import io.loopfree.sync.domain.marker.MarkerKey;
import io.loopfree.sync.domain.reconcile.ReconcileJob;
import io.loopfree.sync.domain.reconcile.Watermark;
import io.loopfree.sync.domain.state.RecordKey;
import io.loopfree.sync.domain.state.RecordState;
import io.loopfree.sync.domain.state.SystemState;
import io.loopfree.sync.ports.MarkerStore;
import io.loopfree.sync.ports.SyncLedger;
import io.loopfree.sync.ports.WatermarkStore;
import io.loopfree.sync.support.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The DynamoDB adapters against DynamoDB Local over the wire: conditions, TTL and lease semantics, races. */
@QuarkusTest
@TestProfile(Profiles.Processor.class)
class DynamoStoresTest {

    /**
     * A day ahead of the wall clock: the adapters take "now" as an argument, and DynamoDB Local's TTL sweeper runs on
     * the wall clock — items "expired" relative to T0 must still be there to show they are ignored.
     */
    static final Instant T0 = Instant.now().plus(Duration.ofDays(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    static final Duration TTL = Duration.ofHours(72);

    @Inject
    SyncLedger ledger;

    @Inject
    MarkerStore markers;

    @Inject
    WatermarkStore watermarks;

    @Test
    void ofConcurrentDeliveriesOfOneEventExactlyOneIsFirst() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                EventKey key = new EventKey("app", "acme", "race-" + UUID.randomUUID());
                CountDownLatch start = new CountDownLatch(1);
                Callable<SyncLedger.Commit> drop = () -> {
                    start.await();
                    return ledger.recordDrop(key, "dropped:no-change", T0, TTL);
                };
                List<Future<SyncLedger.Commit>> results = new ArrayList<>(List.of(pool.submit(drop), pool.submit(drop)));
                start.countDown();
                long first = 0;
                for (Future<SyncLedger.Commit> result : results) {
                    first += result.get() instanceof SyncLedger.Committed ? 1 : 0;
                }
                assertThat(first).as("round " + round).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aDuplicateGetsTheOriginalEntryBackInTheSameCall() {
        EventKey key = new EventKey("app", "acme", "dup-" + UUID.randomUUID());
        assertThat(ledger.recordDrop(key, "dropped:stale", T0, Duration.ofHours(1))).isInstanceOf(SyncLedger.Committed.class);
        SyncLedger.Commit again = ledger.recordDrop(key, "dropped:stale", T0.plusSeconds(5), Duration.ofHours(1));
        assertThat(again).isInstanceOf(SyncLedger.AlreadyClaimed.class);
        DedupEntry existing = ((SyncLedger.AlreadyClaimed) again).existing();
        assertThat(existing.status()).isEqualTo(DedupEntry.Status.DONE);
        assertThat(existing.firstSeenAt()).isEqualTo(T0);
        assertThat(existing.outcome()).isEqualTo("dropped:stale");
    }

    @Test
    void anExpiredEntryCountsAsAbsentEvenBeforeDynamoDbDeletesIt() {
        EventKey key = new EventKey("app", "acme", "expired-" + UUID.randomUUID());
        Duration ttl = Duration.ofSeconds(60);
        assertThat(ledger.recordDrop(key, "dropped:no-change", T0, ttl)).isInstanceOf(SyncLedger.Committed.class);
        assertThat(load(key, T0.plusSeconds(59)).dedup()).isPresent();
        assertThat(ledger.recordDrop(key, "dropped:no-change", T0.plusSeconds(59), ttl))
                .isInstanceOf(SyncLedger.AlreadyClaimed.class);
        assertThat(load(key, T0.plusSeconds(60)).dedup()).isEmpty();
        assertThat(ledger.recordDrop(key, "dropped:no-change", T0.plusSeconds(60), ttl))
                .isInstanceOf(SyncLedger.Committed.class);
    }

    @Test
    void anInProgressEventIsHeldUntilItsLeaseRunsOutThenTakenOver() {
        EventKey key = new EventKey("app", "acme", "lease-" + UUID.randomUUID());
        RecordKey record = new RecordKey("acme", "contact", "app:" + UUID.randomUUID());
        Claim claim = new Claim("token-1", T0.plusSeconds(10));
        assertThat(ledger.apply(key, next(RecordState.absent(record), "app"), claim, "contact/x", List.of(), List.of(), List.of(), T0, TTL))
                .isInstanceOf(SyncLedger.Committed.class);

        SyncLedger.Commit whileHeld = ledger.recordDrop(key, "dropped:no-change", T0.plusSeconds(9), TTL);
        assertThat(whileHeld).isInstanceOf(SyncLedger.AlreadyClaimed.class);
        assertThat(((SyncLedger.AlreadyClaimed) whileHeld).existing().status()).isEqualTo(DedupEntry.Status.IN_PROGRESS);
        assertThat(((SyncLedger.AlreadyClaimed) whileHeld).existing().blocks(T0.plusSeconds(9))).isTrue();

        assertThat(ledger.recordDrop(key, "dropped:no-change", T0.plusSeconds(10), TTL))
                .as("the holder crashed: its lease ran out").isInstanceOf(SyncLedger.Committed.class);
        assertThat(ledger.complete(new SyncLedger.Finish(key, claim, "applied"), record, 1, List.of(),
                T0.plusSeconds(11), TTL).fateRecorded())
                .as("the old holder no longer finishes it").isFalse();
    }

    @Test
    void onlyTheHolderFinishesOrReleasesAClaim() {
        EventKey key = new EventKey("app", "acme", "finish-" + UUID.randomUUID());
        RecordKey record = new RecordKey("acme", "contact", "app:" + UUID.randomUUID());
        Claim ours = new Claim("ours", T0.plusSeconds(20));
        ledger.apply(key, next(RecordState.absent(record), "app"), ours, "contact/x", List.of(), List.of(), List.of(), T0, TTL);

        ledger.release(key, new Claim("someone-else", T0.plusSeconds(20)));
        assertThat(load(key, T0).dedup()).isPresent();
        ledger.release(key, ours);
        assertThat(load(key, T0).dedup()).as("released: a redelivery is processed at once").isEmpty();
    }

    @Test
    void aWriteAtAnOldVersionIsRefusedAndNothingIsClaimed() {
        RecordKey record = new RecordKey("acme", "contact", "app:" + UUID.randomUUID());
        RecordState absent = RecordState.absent(record);
        EventKey first = new EventKey("app", "acme", "v-" + UUID.randomUUID());
        EventKey second = new EventKey("hubspot", "acme", "v-" + UUID.randomUUID());
        assertThat(ledger.apply(first, next(absent, "app"), new Claim("a", T0.plusSeconds(20)), "contact/x", List.of(), List.of(), List.of(), T0, TTL))
                .isInstanceOf(SyncLedger.Committed.class);
        // decided on the state read before the first write: refused, and its event not claimed either
        assertThat(ledger.apply(second, next(absent, "hubspot"), new Claim("b", T0.plusSeconds(20)), "contact/x", List.of(), List.of(), List.of(), T0, TTL))
                .isInstanceOf(SyncLedger.Conflict.class);
        assertThat(load(second, record, T0).dedup()).isEmpty();
        assertThat(load(second, record, T0).record().version()).isEqualTo(1);
    }

    @Test
    void anExpiredMarkerIsIgnoredAndCannotBeConsumed() {
        MarkerKey key = new MarkerKey("acme", "hubspot", "contact", UUID.randomUUID().toString());
        MarkedWrite expiredWrite = new MarkedWrite("tok", "hash", FieldSet.EMPTY, "app:evt", T0.minusSeconds(300),
                T0.minusSeconds(1));
        markers.put(new Marker(key, List.of(expiredWrite)));
        EventKey event = new EventKey("hubspot", "acme", "m-" + UUID.randomUUID());
        RecordKey record = new RecordKey("acme", "contact", key.canonicalKey());
        assertThat(load(event, record, key, T0).marker()).isEmpty();
        assertThat(ledger.consumeMarker(event, key, expiredWrite, true, "dropped:echo-marker", T0, TTL))
                .isInstanceOf(SyncLedger.Conflict.class);

        MarkedWrite liveWrite = new MarkedWrite("tok2", "hash", FieldSet.of(Map.of("email", "a@example.com")),
                "app:evt", T0, T0.plusSeconds(300));
        MarkedWrite otherWrite = new MarkedWrite("tok3", "other", FieldSet.EMPTY, "app:evt2", T0.plusSeconds(1),
                T0.plusSeconds(301));
        markers.put(new Marker(key, List.of(liveWrite, otherWrite)));
        assertThat(load(event, record, key, T0).marker()).contains(new Marker(key, List.of(liveWrite, otherWrite)));
        assertThat(ledger.consumeMarker(event, key, liveWrite, true, "dropped:echo-marker", T0, TTL))
                .isInstanceOf(SyncLedger.Committed.class);
        assertThat(load(event, record, key, T0).marker()).as("that write consumed, the other kept")
                .contains(new Marker(key, List.of(otherWrite)));
    }

    @Test
    void aJobsLeaseIsHeldByOneInvocationUntilItFinishesOrRunsOut() {
        ReconcileJob job = new ReconcileJob("acme", "hubspot", "portal-" + UUID.randomUUID(), "contact");
        Optional<WatermarkStore.Acquired> first = watermarks.acquire(job, "run-1", T0, T0.plusSeconds(900));
        assertThat(first).isPresent();
        assertThat(first.get().previous()).as("first run ever").isEmpty();
        assertThat(watermarks.acquire(job, "run-2", T0.plusSeconds(1), T0.plusSeconds(901))).as("held").isEmpty();

        Watermark.RunPlan plan = Watermark.plan(job, Optional.empty(), T0, Duration.ofMinutes(2), false);
        Watermark done = Watermark.after(plan, Optional.empty(), T0, Watermark.Ending.COMPLETED, 42, Optional.empty(),
                Optional.empty());
        assertThat(watermarks.finish(done, "run-2")).as("not the holder").isFalse();
        assertThat(watermarks.finish(done, "run-1")).isTrue();
        assertThat(watermarks.load(job)).contains(done);

        Optional<WatermarkStore.Acquired> second = watermarks.acquire(job, "run-3", T0.plusSeconds(60),
                T0.plusSeconds(960));
        assertThat(second.orElseThrow().previous()).contains(done);
        assertThat(watermarks.acquire(job, "run-4", T0.plusSeconds(961), T0.plusSeconds(1900)))
                .as("a lease that ran out is taken over").isPresent();
        assertThat(watermarks.finish(done, "run-3")).as("run-3 lost its lease").isFalse();
    }

    @Test
    void aCheckpointRoundTripsThroughTheItem() {
        ReconcileJob job = new ReconcileJob("acme", "sandbox", "acc-" + UUID.randomUUID(), "contact");
        watermarks.acquire(job, "run-1", T0, T0.plusSeconds(900));
        Watermark.RunPlan plan = Watermark.plan(job, Optional.empty(), T0, Duration.ofMinutes(2), false);
        Watermark stopped = Watermark.after(plan, Optional.empty(), T0, Watermark.Ending.STOPPED, 300,
                Optional.of("cursor-3"), Optional.empty());
        assertThat(watermarks.finish(stopped, "run-1")).isTrue();
        Watermark loaded = watermarks.load(job).orElseThrow();
        assertThat(loaded).isEqualTo(stopped);
        assertThat(loaded.checkpoint().orElseThrow().cursor()).isEqualTo("cursor-3");
    }

    /** What the processor's reads return for one event and record. */
    record Snapshot(Optional<DedupEntry> dedup, Optional<Marker> marker, RecordState record) {
    }

    private Snapshot load(EventKey event, Instant now) {
        return load(event, new RecordKey("acme", "contact", "none"), now);
    }

    private Snapshot load(EventKey event, RecordKey record, Instant now) {
        return load(event, record, new MarkerKey("acme", event.system(), "contact", "none"), now);
    }

    private Snapshot load(EventKey event, RecordKey record, MarkerKey marker, Instant now) {
        SyncLedger.Lookup lookup = ledger.lookup(event, new LinkKey("acme", "contact", event.system(), "none"),
                Optional.of(new SyncLedger.RecordRead(record, List.of(marker), List.of())), now);
        SyncLedger.RecordView view = lookup.record().orElseThrow();
        return new Snapshot(lookup.dedup(), view.marker(marker.system()), view.record());
    }

    private static RecordState next(RecordState state, String system) {
        FieldSet fields = FieldSet.of(Map.of("email", "x@example.com"));
        return state.with(system, new SystemState("x", "acme", fields, fields.hash(), T0, "human", "u", null, "e",
                system + ":e", SystemState.INBOUND, T0, false, false, null), T0);
    }
}
