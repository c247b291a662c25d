package io.loopfree.sync.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.adapters.http.JsonOutboundProfileRepository;
import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.change.FieldSet;
import io.loopfree.sync.domain.outbound.OutboundProfile;
import io.loopfree.sync.domain.outbound.OutboundResponse;
import io.loopfree.sync.domain.outbound.OutboundTarget;
import io.loopfree.sync.domain.outbound.OutboundWrite;
import io.loopfree.sync.domain.outbound.OutboxKey;
import io.loopfree.sync.domain.outbound.PendingWrite;
import io.loopfree.sync.domain.state.RecordKey;
import io.loopfree.sync.domain.state.RecordState;
import io.loopfree.sync.ports.OutboundClient;
import io.loopfree.sync.ports.SyncLedger;
import io.smallrye.config.SmallRyeConfigBuilder;

/** What becomes of a pending write for each kind of answer: written, kept to retry, or given up visibly. */
class OutboundSenderTest {

    static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private final Deque<OutboundResponse> answers = new ArrayDeque<>();
    private final List<String> metrics = new ArrayList<>();
    private final OutboundSender sender = new OutboundSender(new Scripted(), OutboundSenderTest::profile,
            new SyncMetrics((name, value, unit, dimensions, properties) -> metrics.add(name + " " + dimensions)),
            CLOCK, config());
    /** Every account's breaker closed: what a record read with no breaker items gives. */
    private final SafetyValves.Session valves = new SafetyValves(new ClosedBreakers(),
            new io.loopfree.sync.adapters.http.JsonOutboundProfileRepository(Optional.empty()),
            (name, value, unit, dimensions, properties) -> { }, (request, now) -> { }, CLOCK, config())
            .session(new SyncLedger.RecordView(RecordState.absent(record()), Map.of(), List.of()));

    @Test
    void aWrittenCreateLinksTheIdTheTargetGaveAndRecordsOurOutboundState() {
        answers.add(new OutboundResponse.Done(201, "rich_7", Map.of(), Map.of()));
        SyncLedger.WriteResult result = sendOne(pending(0));
        assertThat(result).isInstanceOfSatisfying(SyncLedger.Written.class, written -> {
            assertThat(written.link()).hasValueSatisfying(link -> assertThat(link.recordId()).isEqualTo("rich_7"));
            assertThat(written.after().direction()).isEqualTo("outbound");
            assertThat(written.after().actorId()).isEqualTo(OutboundSender.SYNC_ENGINE);
            assertThat(written.after().fieldHash()).isEqualTo(pending(0).afterHash());
        });
    }

    @Test
    void aClientErrorIsGivenUpAtOnceAndARateLimitWaits() {
        answers.add(new OutboundResponse.Rejected(400, "invalid email", Map.of()));
        assertThat(sendOne(pending(0))).isInstanceOfSatisfying(SyncLedger.GaveUp.class,
                gaveUp -> assertThat(gaveUp.reason()).contains("HTTP 400").contains("invalid email"));
        answers.add(new OutboundResponse.RateLimited(429, Optional.of(NOW.plusSeconds(30)), Map.of()));
        assertThat(sendOne(pending(0))).as("waits in the outbox for the account's breaker")
                .isInstanceOf(SyncLedger.Deferred.class);
    }

    @Test
    void anUnavailableTargetIsRetriedUntilTheAttemptsRunOutThenGivenUpVisibly() {
        answers.add(new OutboundResponse.Unavailable(503, "down", Map.of()));
        assertThat(sendOne(pending(3))).isInstanceOf(SyncLedger.WillRetry.class);
        answers.add(new OutboundResponse.Unavailable(503, "down", Map.of()));
        assertThat(sendOne(pending(4))).isInstanceOfSatisfying(SyncLedger.GaveUp.class,
                gaveUp -> assertThat(gaveUp.reason()).contains("gave up after 5 attempts"));
    }

    @Test
    void aKnownRecordWhoseProfileCannotUpdateItByIdIsNeverSentAndFailsVisibly() {
        PendingWrite known = pending(0, UPSERT_ONLY, "c_90b");
        SyncLedger.WriteResult result = sendOne(known);
        assertThat(answers).as("nothing left to answer: no call was made").isEmpty();
        assertThat(result).isInstanceOfSatisfying(SyncLedger.GaveUp.class, gaveUp -> assertThat(gaveUp.reason())
                .contains("refused").contains("no \"update\" request").contains("c_90b")
                .contains("would create a second record"));
        assertThat(metrics).singleElement().asString().startsWith(SyncMetrics.OUTBOUND_WRITES_REFUSED)
                .contains("account=acme#sandbox-rich#acct").contains("cause=" + SyncMetrics.REFUSED_NO_UPDATE);
    }

    @Test
    void aRecordNotYetThereIsStillUpsertedByExternalIdWithThatProfile() {
        answers.add(new OutboundResponse.Done(201, "c_91", Map.of(), Map.of()));
        assertThat(sendOne(pending(0, UPSERT_ONLY, null))).isInstanceOf(SyncLedger.Written.class);
        assertThat(metrics).isEmpty();
    }

    @Test
    void nothingIsCalledOnceTheDeadlineHasPassed() {
        List<SyncLedger.WriteResult> results = sender.send(List.of(pending(0)), RecordState.absent(record()), NOW, valves);
        assertThat(results).singleElement().isInstanceOf(SyncLedger.WillRetry.class);
        assertThat(answers).isEmpty();
    }

    private SyncLedger.WriteResult sendOne(PendingWrite pending) {
        return sender.send(List.of(pending), RecordState.absent(record()), NOW.plusSeconds(10), valves).get(0);
    }

    private static RecordKey record() {
        return new RecordKey("acme", "contact", "app:c_1");
    }

    /** The shipped app profile without its update by id: what a customer implementing only the upserts would have. */
    static final String UPSERT_ONLY = "app-upsert-only";

    private static Optional<OutboundProfile> profile(String name) {
        if (!name.equals(UPSERT_ONLY)) {
            return SHIPPED.find(name);
        }
        OutboundProfile app = SHIPPED.find("app").orElseThrow();
        Map<OutboundProfile.Operation, OutboundProfile.RequestSpec> requests = new java.util.EnumMap<>(app.requests());
        requests.remove(OutboundProfile.Operation.UPDATE);
        return Optional.of(new OutboundProfile(UPSERT_ONLY, app.description(), app.sources(), app.baseUrl(), app.auth(),
                app.externalIdProperty(), app.headers(), app.rateLimitHeaders(), requests, app.notes()));
    }

    private static final JsonOutboundProfileRepository SHIPPED = new JsonOutboundProfileRepository(Optional.empty());

    private static PendingWrite pending(int attempts) {
        return pending(attempts, "sandbox", null);
    }

    private static PendingWrite pending(int attempts, String profile, String recordId) {
        OutboundTarget target = new OutboundTarget("acme", "sandbox-rich", "acct", profile, null, Map.of());
        OutboundWrite write = new OutboundWrite(target, "contact", "app:c_1", "app:c_1", recordId,
                OutboundWrite.Action.UPSERT, Map.of("email", "a@example.com"), "loopfree-k", "loopfree-sync", "app:e1");
        return new PendingWrite(OutboxKey.of(write), write, FieldSet.of(Map.of("email", "a@example.com")), "tok",
                PendingWrite.Status.pending, attempts, null, NOW, NOW, 1);
    }

    private static SyncConfig config() {
        return new SmallRyeConfigBuilder().withMapping(SyncConfig.class)
                .withConverter(Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withDefaultValues(Map.of("sync.fan-out.max-attempts", "5"))
                .build().getConfigMapping(SyncConfig.class);
    }

    /** Breakers that are closed and accept being opened (this test is about the sender, not the breaker). */
    private static final class ClosedBreakers implements io.loopfree.sync.ports.BreakerStore {
        @Override
        public io.loopfree.sync.domain.valve.Breaker find(io.loopfree.sync.domain.valve.AccountKey key) {
            return io.loopfree.sync.domain.valve.Breaker.closed(key);
        }

        @Override
        public boolean open(io.loopfree.sync.domain.valve.AccountKey key, String reason, Instant now, Instant until,
                String usage, Optional<String> probeToken) {
            return true;
        }

        @Override
        public Optional<String> claimProbe(io.loopfree.sync.domain.valve.AccountKey key, Instant now, Instant until) {
            return Optional.empty();
        }

        @Override
        public boolean close(io.loopfree.sync.domain.valve.AccountKey key, String probeToken, Instant now) {
            return true;
        }

        @Override
        public void setPaused(io.loopfree.sync.domain.valve.AccountKey key, boolean paused, Instant now) {
        }

        @Override
        public Optional<DrainClaim> claimDrain(io.loopfree.sync.domain.valve.AccountKey key, Instant now, Instant until,
                boolean force) {
            return Optional.empty();
        }

        @Override
        public void releaseDrain(io.loopfree.sync.domain.valve.AccountKey key, DrainClaim claim, long stillHeld,
                Instant now) {
        }
    }

    /** Answers with the next scripted response; the processor never lists. */
    private final class Scripted implements OutboundClient {
        @Override
        public OutboundResponse write(OutboundWrite write, Optional<Instant> lastSeen, Instant deadline) {
            return answers.removeFirst();
        }

        @Override
        public OutboundResponse fetch(OutboundTarget target, String resource, String recordId, Instant deadline) {
            return answers.removeFirst();
        }

        @Override
        public PageResult list(OutboundTarget target, String resource, Instant since, Optional<String> cursor,
                Instant deadline) {
            throw new AssertionError("the sender never lists");
        }
    }
}
