package io.loopfree.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.domain.webhook.PublicUrl;
import io.loopfree.sync.domain.webhook.WebhookRequest;

class PublicUrlTest {

    @Test
    void rebuiltFromTheApiGatewayEventWithTheRawQuery() {
        WebhookRequest request = new WebhookRequest("POST", "/webhooks/hubspot/acme", "a=%3A&b=2",
                Map.of("host", "abc.execute-api.eu-west-1.amazonaws.com", "x-forwarded-proto", "https", "x-forwarded-port", "443"),
                new byte[0]);
        assertThat(PublicUrl.of(request, Optional.empty()))
                .isEqualTo("https://abc.execute-api.eu-west-1.amazonaws.com/webhooks/hubspot/acme?a=%3A&b=2");
    }

    @Test
    void aNonDefaultPortIsKeptAndHttpsIsTheDefault() {
        WebhookRequest request = new WebhookRequest("POST", "/w", "", Map.of("host", "localhost", "x-forwarded-port", "8080"),
                new byte[0]);
        assertThat(PublicUrl.of(request, Optional.empty())).isEqualTo("https://localhost:8080/w");
    }

    @Test
    void theConfiguredBaseUrlReplacesSchemeHostAndPort() {
        WebhookRequest request = new WebhookRequest("POST", "/webhooks/twilio/acme", "x=1", Map.of("host", "abc.example"),
                new byte[0]);
        assertThat(PublicUrl.of(request, Optional.of("https://hooks.acme.example/prod/")))
                .isEqualTo("https://hooks.acme.example/prod/webhooks/twilio/acme?x=1");
    }

    @Test
    void defaultPortVariants() {
        assertThat(PublicUrl.withAndWithoutDefaultPort("https://a.test/p?q=1"))
                .containsExactly("https://a.test/p?q=1", "https://a.test:443/p?q=1");
        assertThat(PublicUrl.withAndWithoutDefaultPort("http://a.test:80/p"))
                .containsExactly("http://a.test:80/p", "http://a.test/p");
        assertThat(PublicUrl.withAndWithoutDefaultPort("https://a.test:8443/p")).containsExactly("https://a.test:8443/p");
    }
}
