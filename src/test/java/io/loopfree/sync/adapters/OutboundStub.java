package io.loopfree.sync.adapters;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.loopfree.sync.adapters.http.HttpOutboundClient;
import io.loopfree.sync.adapters.http.JsonOutboundProfileRepository;
import io.loopfree.sync.domain.outbound.OutboundTarget;
import io.loopfree.sync.domain.outbound.OutboundWrite;
import io.loopfree.sync.ports.SecretStore;

/** A WireMock server standing in for a provider, and the adapter under test pointed at it. */
final class OutboundStub {

    static final String TOKEN = "tok_test_123";
    static final HttpOutboundClient.Settings FAST_RETRIES = new HttpOutboundClient.Settings(Duration.ofSeconds(1),
            Duration.ofSeconds(5), 3, Duration.ofMillis(1), Duration.ofMillis(2), "loopfree-sync");
    /** Only the outbound token of tenant acme exists. */
    static final SecretStore SECRETS = (system, tenant, purpose) -> tenant.equals("acme")
            && purpose.equals(OutboundTarget.DEFAULT_CREDENTIALS) ? List.of(TOKEN, "tok_old") : List.of();

    final WireMockServer server = new WireMockServer(options().dynamicPort());

    OutboundStub start() {
        server.start();
        return this;
    }

    void stop() {
        server.stop();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    HttpOutboundClient client(Clock clock) {
        return new HttpOutboundClient(new JsonOutboundProfileRepository(Optional.empty()), SECRETS, clock, FAST_RETRIES);
    }

    HttpOutboundClient client() {
        return client(Clock.systemUTC());
    }

    OutboundTarget target(String profile, Map<String, String> params) {
        return new OutboundTarget("acme", profile.replaceAll("-.*", ""), "acct-1", profile, null, params);
    }

    OutboundTarget target(String profile) {
        return target(profile, Map.of("baseUrl", baseUrl()));
    }

    static OutboundWrite upsert(OutboundTarget target, String recordId, Map<String, Object> fields) {
        return new OutboundWrite(target, "contact", "k1", "acme:contact:k1", recordId, OutboundWrite.Action.UPSERT,
                fields, "idem-7f3a", "loopfree-sync", "evt-42");
    }

    static OutboundWrite delete(OutboundTarget target, String recordId) {
        return new OutboundWrite(target, "contact", "k1", "acme:contact:k1", recordId, OutboundWrite.Action.DELETE,
                Map.of(), "idem-del-1", "loopfree-sync", "evt-43");
    }

    static Instant soon() {
        return Instant.now().plusSeconds(10);
    }

    /** The one request the stub received. */
    LoggedRequest only() {
        List<LoggedRequest> all = server.findAll(com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor(
                com.github.tomakehurst.wiremock.client.WireMock.anyUrl()));
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    int requestCount() {
        return server.findAll(com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor(
                com.github.tomakehurst.wiremock.client.WireMock.anyUrl())).size();
    }
}
