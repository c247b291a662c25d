package io.loopfree.sync.local.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Rate limits as the engine meets them: headers of the configured family, 429 + Retry-After, no write. */
class SandboxRateLimitTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private SandboxProvider sandbox;
    private SandboxClient http;

    private void start(SandboxConfig config) {
        sandbox = SandboxProvider.start(config.withClock(clock));
        http = new SandboxClient(sandbox.baseUrl());
    }

    @AfterEach
    void close() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @ParameterizedTest
    @EnumSource(RateLimitHeaders.class)
    void everyEngineResponseCarriesTheFamilysHeadersAndTheQuotaEndsIn429(RateLimitHeaders family) {
        start(SandboxConfig.of("sandbox-rl", "acme").withRateLimitPerWindow(2).withRateLimitWindow(Duration.ofSeconds(10))
                .withRateLimitHeaders(family));

        SandboxClient.Answer first = http.engine("POST", "/api/contacts", "{\"n\":1}");
        clock.advance(Duration.ofMillis(2500));
        SandboxClient.Answer second = http.engine("GET", "/api/contacts", null);
        SandboxClient.Answer refused = http.engine("POST", "/api/contacts", "{\"n\":2}");

        assertThat(first.status()).isEqualTo(201);
        assertThat(second.status()).isEqualTo(200);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.header("Retry-After")).isEqualTo("8"); // 7.5 s left in the window, rounded up
        assertThat(sandbox.records("contacts")).hasSize(1);
        assertThat(sandbox.audit().writes()).extracting(SandboxAudit.Write::status).containsExactly(201, 429);
        switch (family) {
            case IETF_DRAFT -> {
                assertThat(first.header("RateLimit")).isEqualTo("\"default\";r=1;t=10");
                assertThat(first.header("RateLimit-Policy")).isEqualTo("\"default\";q=2;w=10");
                assertThat(refused.header("RateLimit")).isEqualTo("\"default\";r=0;t=8");
            }
            case IETF_OLD -> {
                assertThat(first.header("RateLimit-Limit")).isEqualTo("2");
                assertThat(first.header("RateLimit-Remaining")).isEqualTo("1");
                assertThat(second.header("RateLimit-Reset")).isEqualTo("8");
            }
            case X_RATELIMIT -> {
                assertThat(first.header("X-RateLimit-Limit")).isEqualTo("2");
                assertThat(second.header("X-RateLimit-Remaining")).isEqualTo("0");
                assertThat(refused.header("X-RateLimit-Reset")).isEqualTo("8");
            }
            case HUBSPOT -> {
                assertThat(first.header("X-HubSpot-RateLimit-Max")).isEqualTo("2");
                assertThat(first.header("X-HubSpot-RateLimit-Remaining")).isEqualTo("1");
                assertThat(first.header("X-HubSpot-RateLimit-Interval-Milliseconds")).isEqualTo("10000");
            }
            case SALESFORCE -> {
                assertThat(first.header("Sforce-Limit-Info")).isEqualTo("api-usage=1/2");
                assertThat(second.header("Sforce-Limit-Info")).isEqualTo("api-usage=2/2");
            }
            default -> throw new IllegalStateException(family.name());
        }

        clock.advance(Duration.ofSeconds(8)); // the next window
        assertThat(http.engine("POST", "/api/contacts", "{\"n\":3}").status()).isEqualTo(201);
    }

    @Test
    void humansAreNotRateLimited() {
        start(SandboxConfig.of("sandbox-rl", "acme").withRateLimitPerWindow(1).withRateLimitWindow(Duration.ofMinutes(1)));
        http.engine("GET", "/api/contacts", null);
        SandboxClient.Answer human = http.human("ada", "POST", "/api/contacts", "{}");
        assertThat(human.status()).isEqualTo(201);
        assertThat(human.header("RateLimit")).isNull();
        assertThat(http.engine("GET", "/api/contacts", null).status()).isEqualTo(429);
    }

    @Test
    void fail429RefusesTheNextEngineRequestsWithTheGivenRetryAfter() {
        start(SandboxConfig.of("sandbox-rl", "acme"));
        assertThat(http.send("POST", "/_sandbox/control", "{\"fail429\":{\"count\":2,\"retryAfterSeconds\":3}}").status())
                .isEqualTo(200);

        SandboxClient.Answer human = http.human("ada", "POST", "/api/contacts", "{}");
        SandboxClient.Answer first = http.engine("PUT", "/api/contacts/by-external-id/x-1", "{\"n\":1}");
        SandboxClient.Answer second = http.engine("GET", "/api/contacts", null);
        SandboxClient.Answer third = http.engine("PUT", "/api/contacts/by-external-id/x-1", "{\"n\":1}");

        assertThat(human.status()).isEqualTo(201);
        assertThat(first.status()).isEqualTo(429);
        assertThat(first.header("Retry-After")).isEqualTo("3");
        assertThat(second.status()).isEqualTo(429);
        assertThat(third.status()).isEqualTo(201);
        assertThat(sandbox.records("contacts")).hasSize(2);
        assertThat(sandbox.audit().writes()).extracting(SandboxAudit.Write::by, SandboxAudit.Write::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("human:ada", 201),
                        org.assertj.core.groups.Tuple.tuple("engine", 429),
                        org.assertj.core.groups.Tuple.tuple("engine", 201));
    }

    @Test
    void aReplayedIdempotentRequestStillCountsAgainstTheQuota() {
        start(SandboxConfig.of("sandbox-rl", "acme").withRateLimitPerWindow(2).withRateLimitWindow(Duration.ofMinutes(1)));
        http.engine("POST", "/api/contacts", "{}", "Idempotency-Key", "k");
        assertThat(http.engine("POST", "/api/contacts", "{}", "Idempotency-Key", "k").status()).isEqualTo(201);
        assertThat(http.engine("POST", "/api/contacts", "{}", "Idempotency-Key", "k").status()).isEqualTo(429);
        assertThat(sandbox.humanCreate("contacts", Map.of()).path("id").asText()).isEqualTo("rl_2");
    }
}
