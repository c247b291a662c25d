package io.loopfree.sync.adapters;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.loopfree.sync.adapters.http.HttpOutboundClient;
import io.loopfree.sync.adapters.http.JsonOutboundProfileRepository;
import io.loopfree.sync.domain.outbound.OutboundResponse;
import io.loopfree.sync.domain.outbound.OutboundTarget;
import io.loopfree.sync.ports.OutboundClient.PageResult;

/**
 * The adapter against a stub of the sandbox CRM's contract: the exact requests, and every kind of answer (2xx, 204,
 * 404, 400, 429 with both Retry-After forms, 5xx retried, timeouts bounded by the deadline, 4xx never retried).
 */
class HttpOutboundClientTest {

    static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");
    static final String UPSERT_PATH = "/api/contact/by-external-id/acme%3Acontact%3Ak1";

    static OutboundStub stub;
    HttpOutboundClient client;
    OutboundTarget sandbox;

    @BeforeAll
    static void start() {
        stub = new OutboundStub().start();
    }

    @AfterAll
    static void stop() {
        stub.stop();
    }

    @BeforeEach
    void reset() {
        stub.server.resetAll();
        client = stub.client();
        sandbox = stub.target("sandbox");
    }

    @Test
    void upsertSendsTheExactRequestAndReadsTheRecordId() {
        stub.server.stubFor(put(anyUrl()).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json")
                .withHeader("RateLimit", "\"default\";r=99;t=30")
                .withBody("{\"id\":\"rec_901\",\"loopfree_id\":\"acme:contact:k1\",\"email\":\"ada@example.com\"}")));
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("email", "ada@example.com");
        fields.put("phone", null);
        fields.put("score", 42);

        OutboundResponse response = client.write(OutboundStub.upsert(sandbox, null, fields), OutboundStub.soon());

        LoggedRequest request = stub.only();
        assertThat(request.getMethod().getName()).isEqualTo("PUT");
        assertThat(request.getUrl()).isEqualTo(UPSERT_PATH);
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + OutboundStub.TOKEN);
        assertThat(request.getHeader("X-Change-Agent")).isEqualTo("loopfree-sync");
        assertThat(request.getHeader("Idempotency-Key")).isEqualTo("idem-7f3a");
        assertThat(request.getHeader("Content-Type")).isEqualTo("application/json");
        assertThat(request.getHeader("Accept")).isEqualTo("application/json");
        assertThat(request.getBodyAsString()).isEqualTo("{\"email\":\"ada@example.com\",\"phone\":null,\"score\":42}");
        assertThat(response).isInstanceOfSatisfying(OutboundResponse.Done.class, done -> {
            assertThat(done.status()).isEqualTo(201);
            assertThat(done.recordId()).isEqualTo("rec_901");
            assertThat(done.body()).containsEntry("email", "ada@example.com");
            assertThat(done.headers()).containsEntry("ratelimit", java.util.List.of("\"default\";r=99;t=30"));
        });
    }

    @Test
    void aKnownRecordIsUpdatedByItsIdNeverUpsertedByExternalId() {
        stub.server.stubFor(patch(urlPathEqualTo("/api/contact/c_90b")).willReturn(okJson("{\"id\":\"c_90b\"}")));
        OutboundResponse response = client.write(OutboundStub.upsert(sandbox, "c_90b", Map.of("phone", "+1 555")),
                OutboundStub.soon());
        assertThat(response).isInstanceOf(OutboundResponse.Done.class);
        assertThat(stub.only().getMethod().value() + " " + stub.only().getUrl()).isEqualTo("PATCH /api/contact/c_90b");
    }

    @Test
    void aKnownRecordWithAProfileThatCannotUpdateByIdSendsNothing() throws Exception {
        java.nio.file.Path profiles = java.nio.file.Path.of(getClass().getResource("/outbound-upsert-only").toURI());
        HttpOutboundClient upsertOnly = new HttpOutboundClient(new JsonOutboundProfileRepository(Optional.of(profiles)),
                OutboundStub.SECRETS, Clock.systemUTC(), OutboundStub.FAST_RETRIES);
        OutboundTarget target = stub.target("sandbox-upsert-only");
        OutboundResponse response = upsertOnly.write(OutboundStub.upsert(target, "c_90b", Map.of("phone", "+1 555")),
                OutboundStub.soon());
        assertThat(stub.requestCount()).as("an upsert by external id would create a second record").isZero();
        assertThat(response).isInstanceOfSatisfying(OutboundResponse.Rejected.class, rejected -> {
            assertThat(rejected.status()).isZero();
            assertThat(rejected.reason()).contains("no \"update\" request").contains("c_90b");
        });
        stub.server.stubFor(put(urlPathEqualTo(UPSERT_PATH)).willReturn(okJson("{\"id\":\"c_91\"}")));
        assertThat(upsertOnly.write(OutboundStub.upsert(target, null, Map.of()), OutboundStub.soon()))
                .as("a record not known there yet is still upserted by external id")
                .isInstanceOf(OutboundResponse.Done.class);
    }

    @Test
    void aDeleteAnswered204KeepsTheKnownRecordId() {
        stub.server.stubFor(delete(urlPathEqualTo("/api/contact/rec_901")).willReturn(aResponse().withStatus(204)));
        OutboundResponse response = client.write(OutboundStub.delete(sandbox, "rec_901"), OutboundStub.soon());
        assertThat(response).isEqualTo(new OutboundResponse.Done(204, "rec_901", Map.of(), response.headers()));
        assertThat(stub.only().getHeader("Idempotency-Key")).isEqualTo("idem-del-1");
    }

    @Test
    void notFoundOnGetAndDeleteButRejectedOnAnUpsert() {
        stub.server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(404).withBody("{\"error\":\"no such record\"}")));
        assertThat(client.fetch(sandbox, "contact", "rec_404", OutboundStub.soon()))
                .isInstanceOf(OutboundResponse.NotFound.class);
        assertThat(client.write(OutboundStub.delete(sandbox, "rec_404"), OutboundStub.soon()))
                .isInstanceOf(OutboundResponse.NotFound.class);
        assertThat(client.write(OutboundStub.upsert(sandbox, null, Map.of()), OutboundStub.soon()))
                .isInstanceOfSatisfying(OutboundResponse.Rejected.class,
                        r -> assertThat(r.reason()).isEqualTo("HTTP 404: {\"error\":\"no such record\"}"));
        assertThat(stub.requestCount()).isEqualTo(3);
    }

    @Test
    void fetchReturnsTheRecord() {
        stub.server.stubFor(get(urlPathEqualTo("/api/contact/rec_901"))
                .willReturn(okJson("{\"id\":\"rec_901\",\"email\":\"ada@example.com\",\"big\":6572427401553796123}")));
        OutboundResponse response = client.fetch(sandbox, "contact", "rec_901", OutboundStub.soon());
        assertThat(response).isInstanceOfSatisfying(OutboundResponse.Done.class, done -> {
            assertThat(done.recordId()).isEqualTo("rec_901");
            assertThat(done.body()).containsEntry("email", "ada@example.com").containsEntry("big", 6572427401553796123L);
        });
        LoggedRequest request = stub.only();
        assertThat(request.getMethod().getName()).isEqualTo("GET");
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + OutboundStub.TOKEN);
        assertThat(request.getBodyAsString()).isEmpty();
    }

    @Test
    void aClientErrorIsRejectedAndNeverRetried() {
        stub.server.stubFor(put(anyUrl()).willReturn(aResponse().withStatus(400)
                .withBody("{\"error\":\"email is invalid\"}\n\u001b[31mred")));
        OutboundResponse response = client.write(OutboundStub.upsert(sandbox, null, Map.of("email", "x")), OutboundStub.soon());
        assertThat(response).isInstanceOfSatisfying(OutboundResponse.Rejected.class, rejected -> {
            assertThat(rejected.status()).isEqualTo(400);
            // bounded and escaped: safe to log
            assertThat(rejected.reason()).isEqualTo("HTTP 400: {\"error\":\"email is invalid\"}\\u000a\\u001b[31mred");
        });
        assertThat(stub.requestCount()).isEqualTo(1);
    }

    @Test
    void noFieldsIsAnEmptyObjectAndAnAnswerWithoutIdLeavesItUnknown() {
        stub.server.stubFor(put(anyUrl()).willReturn(aResponse().withStatus(200).withBody("OK")));
        OutboundResponse response = client.write(OutboundStub.upsert(sandbox, null, Map.of()), OutboundStub.soon());
        assertThat(stub.only().getBodyAsString()).isEqualTo("{}");
        assertThat(response).isEqualTo(new OutboundResponse.Done(200, null, Map.of(), response.headers()));
    }

    @Test
    void aLongErrorBodyIsCut() {
        stub.server.stubFor(put(anyUrl()).willReturn(aResponse().withStatus(422).withBody("x".repeat(10_000))));
        OutboundResponse.Rejected rejected = (OutboundResponse.Rejected) client
                .write(OutboundStub.upsert(sandbox, null, Map.of()), OutboundStub.soon());
        assertThat(rejected.reason()).hasSize(201).endsWith("x…");
    }

    @Test
    void tooManyRequestsWithRetryAfterSecondsIsRateLimitedAndNotRetried() {
        stub.server.stubFor(put(anyUrl()).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "120")
                .withHeader("X-RateLimit-Remaining", "0")));
        OutboundResponse response = stub.client(Clock.fixed(NOW, ZoneOffset.UTC))
                .write(OutboundStub.upsert(sandbox, null, Map.of()), NOW.plusSeconds(10));
        assertThat(response).isInstanceOfSatisfying(OutboundResponse.RateLimited.class, limited -> {
            assertThat(limited.status()).isEqualTo(429);
            assertThat(limited.retryAt()).contains(NOW.plusSeconds(120));
            assertThat(limited.headers()).containsEntry("x-ratelimit-remaining", java.util.List.of("0"));
        });
        assertThat(stub.requestCount()).isEqualTo(1);
    }

    @Test
    void tooManyRequestsWithAnHttpDate() {
        stub.server.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(429)
                .withHeader("Retry-After", "Fri, 20 Nov 2026 10:05:00 GMT")));
        OutboundResponse response = client.fetch(sandbox, "contact", "rec_1", OutboundStub.soon());
        assertThat(response).isInstanceOfSatisfying(OutboundResponse.RateLimited.class,
                limited -> assertThat(limited.retryAt()).contains(Instant.parse("2026-11-20T10:05:00Z")));
        stub.server.resetAll();
        stub.server.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(429)));
        assertThat(client.fetch(sandbox, "contact", "rec_1", OutboundStub.soon()))
                .isInstanceOfSatisfying(OutboundResponse.RateLimited.class, l -> assertThat(l.retryAt()).isEmpty());
    }

    @Test
    void aServerErrorIsRetriedThenSucceeds() {
        stub.server.stubFor(put(anyUrl()).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503).withBody("busy")).willSetStateTo("recovered"));
        stub.server.stubFor(put(anyUrl()).inScenario("flaky").whenScenarioStateIs("recovered")
                .willReturn(okJson("{\"id\":\"rec_7\"}")));
        OutboundResponse response = client.write(OutboundStub.upsert(sandbox, null, Map.of("email", "a@b.c")),
                OutboundStub.soon());
        assertThat(response).isInstanceOfSatisfying(OutboundResponse.Done.class,
                done -> assertThat(done.recordId()).isEqualTo("rec_7"));
        var requests = stub.server.findAll(com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor(anyUrl()));
        assertThat(requests).hasSize(2);
        // the retry is the same request: same idempotency key, same body
        assertThat(requests.get(1).getHeader("Idempotency-Key")).isEqualTo(requests.get(0).getHeader("Idempotency-Key"));
        assertThat(requests.get(1).getBodyAsString()).isEqualTo(requests.get(0).getBodyAsString());
    }

    @Test
    void aServerErrorThatPersistsIsUnavailableAfterMaxAttempts() {
        stub.server.stubFor(put(anyUrl()).willReturn(aResponse().withStatus(500).withBody("oops")));
        OutboundResponse response = client.write(OutboundStub.upsert(sandbox, null, Map.of()), OutboundStub.soon());
        assertThat(response).isEqualTo(new OutboundResponse.Unavailable(500, "HTTP 500: oops", response.headers()));
        assertThat(stub.requestCount()).isEqualTo(OutboundStub.FAST_RETRIES.maxAttempts());
    }

    @Test
    void aTimeoutIsBoundedByTheDeadline() {
        stub.server.stubFor(put(anyUrl()).willReturn(okJson("{\"id\":\"late\"}").withFixedDelay(5_000)));
        OutboundResponse response = client.write(OutboundStub.upsert(sandbox, null, Map.of()),
                Instant.now().plusMillis(300));
        assertThat(response).isInstanceOfSatisfying(OutboundResponse.Unavailable.class, unavailable -> {
            assertThat(unavailable.status()).isZero();
            assertThat(unavailable.reason()).startsWith("timed out after");
        });
        // answered "timed out", not "late": the attempt ended at the deadline, not after the stub's 5 s delay
        assertThat(stub.requestCount()).isBetween(1, OutboundStub.FAST_RETRIES.maxAttempts());
    }

    @Test
    void aPassedDeadlineSendsNothing() {
        OutboundResponse response = client.write(OutboundStub.upsert(sandbox, null, Map.of()), Instant.now().minusSeconds(1));
        assertThat(response).isEqualTo(new OutboundResponse.Unavailable(0, "the deadline passed before the call", Map.of()));
        assertThat(stub.requestCount()).isZero();
    }

    @Test
    void aConnectionRefusedIsRetriedThenUnavailable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        OutboundTarget nowhere = stub.target("sandbox", Map.of("baseUrl", "http://127.0.0.1:" + closedPort));
        OutboundResponse response = client.write(OutboundStub.upsert(nowhere, null, Map.of()), OutboundStub.soon());
        assertThat(response).isInstanceOfSatisfying(OutboundResponse.Unavailable.class, unavailable -> {
            assertThat(unavailable.status()).isZero();
            assertThat(unavailable.reason()).startsWith("could not connect");
        });
    }

    @Test
    void withoutTokenOrBaseUrlNothingIsSent() {
        OutboundTarget otherTenant = new OutboundTarget("globex", "sandbox", "acct-2", "sandbox", null,
                Map.of("baseUrl", stub.baseUrl()));
        assertThat(client.write(OutboundStub.upsert(otherTenant, null, Map.of()), OutboundStub.soon()))
                .isEqualTo(new OutboundResponse.Rejected(0, "no 'outbound-token' secret for sandbox/globex", Map.of()));
        OutboundTarget noBase = stub.target("sandbox", Map.of());
        assertThat(client.write(OutboundStub.upsert(noBase, null, Map.of()), OutboundStub.soon()))
                .isInstanceOfSatisfying(OutboundResponse.Rejected.class,
                        r -> assertThat(r.reason()).startsWith("no base URL for profile sandbox"));
        assertThat(client.write(OutboundStub.delete(sandbox, null), OutboundStub.soon()))
                .isEqualTo(new OutboundResponse.Rejected(0, "requests.delete.path needs {recordId}", Map.of()));
        assertThat(stub.requestCount()).isZero();
    }

    @Test
    void aSecretStoreOutageIsUnavailableNotRejected() {
        HttpOutboundClient withoutSecrets = new HttpOutboundClient(
                new io.loopfree.sync.adapters.http.JsonOutboundProfileRepository(Optional.empty()),
                (system, tenant, purpose) -> {
                    throw new io.loopfree.sync.ports.SecretStore.SecretStoreUnavailableException("ssm down", null);
                }, Clock.systemUTC(), OutboundStub.FAST_RETRIES);
        assertThat(withoutSecrets.write(OutboundStub.upsert(sandbox, null, Map.of()), OutboundStub.soon()))
                .isEqualTo(new OutboundResponse.Unavailable(0,
                        "the secret store is unavailable (SecretStoreUnavailableException)", Map.of()));
        assertThat(stub.requestCount()).isZero();
    }

    @Test
    void aBodyExpressionThatFailsSendsNothing(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Files.writeString(dir.resolve("strict.json"), """
                {"auth": "none", "externalIdProperty": "x",
                 "requests": {"upsert": {"method": "PUT", "path": "/r/{externalId}", "body": "{ 'n': $number(fields.email) }"},
                              "get": {"method": "GET", "path": "/r/{recordId}"}}}""");
        HttpOutboundClient strict = new HttpOutboundClient(
                new io.loopfree.sync.adapters.http.JsonOutboundProfileRepository(Optional.of(dir)), OutboundStub.SECRETS,
                Clock.systemUTC(), OutboundStub.FAST_RETRIES);
        OutboundResponse response = strict.write(OutboundStub.upsert(stub.target("strict"), null,
                Map.of("email", "ada@example.com")), OutboundStub.soon());
        assertThat(response).isInstanceOfSatisfying(OutboundResponse.Rejected.class, rejected -> {
            assertThat(rejected.status()).isZero();
            assertThat(rejected.reason()).startsWith("requests.upsert.body failed").doesNotContain("ada@example.com");
        });
        assertThat(stub.requestCount()).isZero();
    }

    @Test
    void listPagesOldestFirstWithTheCursor() {
        stub.server.stubFor(get(urlPathEqualTo("/api/contact")).willReturn(okJson("""
                {"results": [{"id": "r1", "updated_at": "2026-11-20T09:00:00Z"}, {"id": "r2"}], "next": "c_2"}""")));
        Instant since = Instant.parse("2026-11-20T08:58:00Z");
        PageResult first = client.list(sandbox, "contact", since, Optional.empty(), OutboundStub.soon());
        assertThat(first.response()).isInstanceOf(OutboundResponse.Done.class);
        assertThat(first.page().orElseThrow().records()).extracting(r -> r.get("id")).containsExactly("r1", "r2");
        assertThat(first.page().orElseThrow().next()).contains("c_2");
        assertThat(stub.only().getUrl()).isEqualTo("/api/contact?updated_since=2026-11-20T08%3A58%3A00.000Z&limit=100");

        stub.server.resetAll();
        stub.server.stubFor(get(urlPathEqualTo("/api/contact")).willReturn(okJson("{\"results\": [], \"next\": null}")));
        PageResult last = client.list(sandbox, "contact", since, Optional.of("c_2"), OutboundStub.soon());
        assertThat(last.page().orElseThrow().records()).isEmpty();
        assertThat(last.page().orElseThrow().next()).isEmpty();
        assertThat(stub.only().getUrl())
                .isEqualTo("/api/contact?updated_since=2026-11-20T08%3A58%3A00.000Z&limit=100&cursor=c_2");
    }

    @Test
    void aFailedListHasNoPage() {
        stub.server.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "5")));
        PageResult result = client.list(sandbox, "contact", NOW, Optional.empty(), OutboundStub.soon());
        assertThat(result.response()).isInstanceOf(OutboundResponse.RateLimited.class);
        assertThat(result.page()).isEmpty();
    }

    @Test
    void theAppProfileCreatesByExternalIdAndUpdatesAndDeletesById() {
        OutboundTarget app = stub.target("app");
        stub.server.stubFor(put(anyUrl()).willReturn(okJson("{\"id\": \"app-77\"}")));
        stub.server.stubFor(patch(anyUrl()).willReturn(aResponse().withStatus(204)));
        stub.server.stubFor(delete(anyUrl()).willReturn(aResponse().withStatus(204)));
        OutboundResponse created = client.write(OutboundStub.upsert(app, null, Map.of("email", "ada@example.com")),
                OutboundStub.soon());
        assertThat(created).isInstanceOfSatisfying(OutboundResponse.Done.class,
                done -> assertThat(done.recordId()).isEqualTo("app-77"));
        LoggedRequest request = stub.only();
        assertThat(request.getMethod().getName()).isEqualTo("PUT");
        assertThat(request.getUrl()).isEqualTo("/contact/by-external-id/acme%3Acontact%3Ak1");
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + OutboundStub.TOKEN);
        assertThat(request.getHeader("X-Change-Agent")).isEqualTo("loopfree-sync");
        assertThat(request.getHeader("X-Correlation-Id")).isEqualTo("evt-42");
        assertThat(request.getHeader("Idempotency-Key")).isEqualTo("idem-7f3a");
        assertThat(request.getBodyAsString()).isEqualTo("{\"email\":\"ada@example.com\"}");

        // a record whose id we know (e.g. created in the app itself, without our external id): by its id
        stub.server.resetRequests();
        OutboundResponse updated = client.write(OutboundStub.upsert(app, "app-77", Map.of("email", "b@example.com")),
                OutboundStub.soon());
        assertThat(updated).isInstanceOfSatisfying(OutboundResponse.Done.class,
                done -> assertThat(done.recordId()).isEqualTo("app-77"));
        assertThat(stub.only().getMethod().getName()).isEqualTo("PATCH");
        assertThat(stub.only().getUrl()).isEqualTo("/contact/app-77");
        assertThat(stub.only().getBodyAsString()).isEqualTo("{\"email\":\"b@example.com\"}");

        stub.server.resetRequests();
        assertThat(client.write(OutboundStub.delete(app, "app-77"), OutboundStub.soon()))
                .isInstanceOf(OutboundResponse.Done.class);
        assertThat(stub.only().getMethod().getName()).isEqualTo("DELETE");
        assertThat(stub.only().getUrl()).isEqualTo("/contact/app-77");
    }

    // ---- a guard read before an update (issue 17, part 3) --------------------------------------------------------

    static final String RECORD_PATH = "/api/contact/rich_1";

    /**
     * The sender over this adapter, for a target whose API has no precondition (profile sandbox-guard-read, read
     * with the sandbox-rich mapping): what we last saw there is {@code email=seen@}, updated at {@link #NOW}.
     */
    private final class Guarded {
        final java.util.List<io.loopfree.sync.domain.envelope.Envelope> enqueued = new java.util.ArrayList<>();
        final OutboundTarget target;
        final io.loopfree.sync.config.SyncConfig config = io.loopfree.sync.support.TestConfigs.syncConfig(Map.of());
        final io.loopfree.sync.adapters.http.JsonOutboundProfileRepository profiles =
                new io.loopfree.sync.adapters.http.JsonOutboundProfileRepository(Optional.empty());
        final io.loopfree.sync.app.OutboundSender sender = new io.loopfree.sync.app.OutboundSender(client, profiles,
                new io.loopfree.sync.app.SyncMetrics((name, value, unit, dimensions, properties) -> { }),
                Clock.systemUTC(), config, new io.loopfree.sync.adapters.mapping.ClasspathMappingRepository(),
                enqueued::addAll);
        final io.loopfree.sync.domain.state.RecordKey key = new io.loopfree.sync.domain.state.RecordKey("acme",
                "contact", "app:c_1");

        Guarded() {
            this("sandbox-guard-read");
        }

        Guarded(String profile) {
            target = new OutboundTarget("acme", "sandbox-rich", "acct-1", profile, null,
                    Map.of("baseUrl", stub.baseUrl()));
        }

        io.loopfree.sync.ports.SyncLedger.WriteResult send(String email) {
            io.loopfree.sync.domain.state.SystemState seen = new io.loopfree.sync.domain.state.SystemState("rich_1",
                    "acct-1", io.loopfree.sync.domain.change.FieldSet.of(Map.of("email", "seen@example.com",
                            "loopfree_id", "app:c_1")), null, NOW, "human", "u1", null, "e0", "e0",
                    io.loopfree.sync.domain.state.SystemState.INBOUND, NOW, false, false, Map.of());
            io.loopfree.sync.domain.state.RecordState record = io.loopfree.sync.domain.state.RecordState.absent(key)
                    .with("sandbox-rich", seen, NOW);
            io.loopfree.sync.domain.outbound.OutboundWrite write = new io.loopfree.sync.domain.outbound.OutboundWrite(
                    target, "contact", "app:c_1", "app:c_1", "rich_1",
                    io.loopfree.sync.domain.outbound.OutboundWrite.Action.UPSERT, Map.of("email", email), "loopfree-k",
                    "loopfree-sync", "app:e1");
            io.loopfree.sync.domain.outbound.PendingWrite pending = new io.loopfree.sync.domain.outbound.PendingWrite(
                    io.loopfree.sync.domain.outbound.OutboxKey.of(write), write,
                    io.loopfree.sync.domain.change.FieldSet.of(Map.of("email", email)), "tok",
                    io.loopfree.sync.domain.outbound.PendingWrite.Status.pending, 0, null, NOW, NOW, 1);
            io.loopfree.sync.app.SafetyValves.Session valves = new io.loopfree.sync.app.SafetyValves(
                    (io.loopfree.sync.ports.BreakerStore) java.lang.reflect.Proxy.newProxyInstance(
                            getClass().getClassLoader(), new Class<?>[] {io.loopfree.sync.ports.BreakerStore.class},
                            (proxy, method, args) -> {
                                if (method.getName().equals("find")) { // every account's breaker closed
                                    return io.loopfree.sync.domain.valve.Breaker.closed(
                                            (io.loopfree.sync.domain.valve.AccountKey) args[0]);
                                }
                                throw new UnsupportedOperationException("no breaker moves here: " + method.getName());
                            }),
                    profiles, (name, value, unit, dimensions, properties) -> { }, (request, now) -> { },
                    Clock.systemUTC(), config)
                    .session(new io.loopfree.sync.ports.SyncLedger.RecordView(record, Map.of(), java.util.List.of()));
            return sender.send(java.util.List.of(pending), record, OutboundStub.soon(), valves).get(0);
        }
    }

    private static String richRecord(String email, String updatedAt) {
        return "{\"id\":\"rich_1\",\"email\":\"" + email + "\",\"loopfree_id\":\"app:c_1\","
                + "\"created_at\":\"2026-11-20T09:00:00.000Z\",\"updated_at\":\"" + updatedAt + "\",\"deleted\":false}";
    }

    @Test
    void aGuardReadFindsAPersonsNewerValueThereAndTheWriteIsNotSentButDecidedAgain() {
        stub.server.stubFor(get(urlPathEqualTo(RECORD_PATH))
                .willReturn(okJson(richRecord("person@example.com", "2026-11-20T10:00:03.000Z"))));
        stub.server.stubFor(patch(urlPathEqualTo(RECORD_PATH)).willReturn(okJson(richRecord("ours@example.com",
                "2026-11-20T10:00:04.000Z"))));
        Guarded guarded = new Guarded();

        io.loopfree.sync.ports.SyncLedger.WriteResult result = guarded.send("ours@example.com");

        assertThat(result).isInstanceOfSatisfying(io.loopfree.sync.ports.SyncLedger.Superseded.class,
                superseded -> assertThat(superseded.reason()).contains("a guard read found a newer value"));
        assertThat(stub.server.getAllServeEvents()).as("one GET, no write").singleElement()
                .satisfies(e -> assertThat(e.getRequest().getMethod().getName()).isEqualTo("GET"));
        assertThat(guarded.enqueued).as("the person's value goes on the queue as sandbox-rich's change")
                .singleElement().satisfies(envelope -> {
                    assertThat(envelope.system()).isEqualTo("sandbox-rich");
                    assertThat(envelope.headers()).containsEntry("x-loopfree-source", "reconciler")
                            .containsEntry("x-loopfree-record-id", "rich_1")
                            .containsEntry("x-loopfree-updated-at", "2026-11-20T10:00:03.000Z");
                    assertThat(new String(envelope.rawBody(), java.nio.charset.StandardCharsets.UTF_8))
                            .contains("person@example.com");
                });
    }

    @Test
    void aGuardReadThatFindsWhatWeLastSawThereLetsTheWriteGoRightAfterIt() {
        stub.server.stubFor(get(urlPathEqualTo(RECORD_PATH))
                .willReturn(okJson(richRecord("seen@example.com", "2026-11-20T10:00:00.000Z"))));
        stub.server.stubFor(patch(urlPathEqualTo(RECORD_PATH)).willReturn(okJson(richRecord("ours@example.com",
                "2026-11-20T10:00:04.000Z"))));
        Guarded guarded = new Guarded();

        assertThat(guarded.send("ours@example.com")).isInstanceOf(io.loopfree.sync.ports.SyncLedger.Written.class);

        java.util.List<LoggedRequest> requests = stub.server.getAllServeEvents().stream()
                .map(e -> e.getRequest()).sorted(java.util.Comparator.comparing(LoggedRequest::getLoggedDate))
                .toList();
        assertThat(requests).extracting(r -> r.getMethod().getName() + " " + r.getUrl())
                .containsExactly("GET " + RECORD_PATH, "PATCH " + RECORD_PATH);
        assertThat(requests.get(1).containsHeader("If-Match")).isFalse();
        assertThat(guarded.enqueued).isEmpty();
    }

    @Test
    void a412ToAConditionalUpdateReadsTheRecordAndANewerValueThereSupersedesTheWrite() {
        stub.server.stubFor(patch(urlPathEqualTo(RECORD_PATH)).willReturn(aResponse().withStatus(412)));
        stub.server.stubFor(get(urlPathEqualTo(RECORD_PATH))
                .willReturn(okJson(richRecord("person@example.com", "2026-11-20T10:00:03.000Z"))));
        Guarded guarded = new Guarded("sandbox-conditional");

        assertThat(guarded.send("ours@example.com")).isInstanceOfSatisfying(
                io.loopfree.sync.ports.SyncLedger.Superseded.class,
                superseded -> assertThat(superseded.reason()).contains("HTTP 412"));

        java.util.List<LoggedRequest> requests = stub.server.getAllServeEvents().stream()
                .map(e -> e.getRequest()).sorted(java.util.Comparator.comparing(LoggedRequest::getLoggedDate))
                .toList();
        assertThat(requests).extracting(r -> r.getMethod().getName()).containsExactly("PATCH", "GET");
        assertThat(requests.get(0).getHeader("If-Match")).isEqualTo("\"2026-11-20T10:00:00.000Z\"");
        assertThat(guarded.enqueued).singleElement().satisfies(envelope ->
                assertThat(envelope.headers()).containsEntry("x-loopfree-updated-at", "2026-11-20T10:00:03.000Z"));
    }

    @Test
    void a412WhenNothingWeWriteChangedThereWritesOnceMoreConditionalOnWhatWasRead() {
        stub.server.stubFor(patch(urlPathEqualTo(RECORD_PATH)).withHeader("If-Match",
                com.github.tomakehurst.wiremock.client.WireMock.equalTo("\"2026-11-20T10:00:00.000Z\""))
                .willReturn(aResponse().withStatus(412)));
        stub.server.stubFor(patch(urlPathEqualTo(RECORD_PATH)).withHeader("If-Match",
                com.github.tomakehurst.wiremock.client.WireMock.equalTo("\"2026-11-20T10:00:02.000Z\""))
                .willReturn(okJson(richRecord("ours@example.com", "2026-11-20T10:00:04.000Z"))));
        // another field changed there (or a time we did not know): the email is still what we last saw
        stub.server.stubFor(get(urlPathEqualTo(RECORD_PATH))
                .willReturn(okJson(richRecord("seen@example.com", "2026-11-20T10:00:02.000Z"))));
        Guarded guarded = new Guarded("sandbox-conditional");

        assertThat(guarded.send("ours@example.com")).isInstanceOf(io.loopfree.sync.ports.SyncLedger.Written.class);
        assertThat(stub.server.getAllServeEvents()).extracting(e -> e.getRequest().getMethod().getName())
                .containsExactlyInAnyOrder("PATCH", "GET", "PATCH");
        assertThat(guarded.enqueued).isEmpty();
    }
}
