package io.loopfree.sync.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.loopfree.sync.adapters.profiles.JsonProfileRepository;
import io.loopfree.sync.domain.webhook.Hmacs;
import io.loopfree.sync.domain.webhook.PublicUrl;
import io.loopfree.sync.domain.webhook.SignatureSchemes;
import io.loopfree.sync.domain.webhook.Verification;
import io.loopfree.sync.domain.webhook.WebhookRequest;

/**
 * The local API Gateway describes the URL the sender called the way API Gateway would ({@code x-forwarded-proto},
 * {@code x-forwarded-port}), so that the providers which sign that URL (HubSpot v3, Twilio) verify on a local run;
 * a tunnel's {@code X-Forwarded-*} pass through. The event the gateway builds is checked with the shipped profiles'
 * schemes, as the ingress would run them.
 */
class HttpApiGatewayTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final JsonProfileRepository PROFILES = new JsonProfileRepository(Optional.empty());

    final AtomicReference<String> lastEvent = new AtomicReference<>();
    HttpApiGateway gateway;

    @BeforeEach
    void start() throws Exception {
        gateway = new HttpApiGateway(0, event -> {
            lastEvent.set(event);
            return "{\"statusCode\":202,\"headers\":{},\"body\":\"\"}";
        }, () -> "{}");
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    @Test
    void aHubSpotV3WebhookSignedForTheLocalUrlVerifies() throws Exception {
        String secret = "hubspot-client-secret";
        String url = gateway.baseUrl() + "/webhooks/hubspot/acme";
        String body = "[{\"eventId\":1,\"subscriptionType\":\"contact.propertyChange\"}]";
        String timestamp = Long.toString(Instant.now().toEpochMilli());
        String signature = Base64.getEncoder().encodeToString(Hmacs.hmacSha256(secret.getBytes(StandardCharsets.UTF_8),
                ("POST" + url + body + timestamp).getBytes(StandardCharsets.UTF_8)));

        send(HttpRequest.newBuilder(URI.create(url)).header("content-type", "application/json")
                .header("X-HubSpot-Signature-v3", signature).header("X-HubSpot-Request-Timestamp", timestamp)
                .POST(HttpRequest.BodyPublishers.ofString(body)));

        WebhookRequest request = requestOf(lastEvent.get());
        assertThat(request.header("x-forwarded-proto")).contains("http");
        assertThat(request.header("x-forwarded-port")).contains(Integer.toString(gateway.baseUrl().getPort()));
        assertThat(PublicUrl.of(request, Optional.empty())).isEqualTo(url);
        assertThat(verify("hubspot", request, secret)).isInstanceOf(Verification.Verified.class);
    }

    @Test
    void aTwilioWebhookSignedForTheLocalUrlVerifies() throws Exception {
        String token = "twilio-auth-token";
        String url = gateway.baseUrl() + "/webhooks/twilio/acme?channel=sms";
        String form = "Body=Hello&From=%2B14158675309";
        String signature = Base64.getEncoder().encodeToString(Hmacs.Algorithm.SHA1.mac(token.getBytes(StandardCharsets.UTF_8),
                (url + "BodyHello" + "From+14158675309").getBytes(StandardCharsets.UTF_8)));

        send(HttpRequest.newBuilder(URI.create(url)).header("content-type", "application/x-www-form-urlencoded")
                .header("X-Twilio-Signature", signature).POST(HttpRequest.BodyPublishers.ofString(form)));

        assertThat(verify("twilio", requestOf(lastEvent.get()), token)).isInstanceOf(Verification.Verified.class);
    }

    @Test
    void aTunnelsForwardedHeadersDescribeThePublicUrl() throws Exception {
        String publicUrl = "https://hooks.example.test/webhooks/hubspot/acme";
        String secret = "hubspot-client-secret";
        String body = "[{\"eventId\":2}]";
        String timestamp = Long.toString(Instant.now().toEpochMilli());
        String signature = Base64.getEncoder().encodeToString(Hmacs.hmacSha256(secret.getBytes(StandardCharsets.UTF_8),
                ("POST" + publicUrl + body + timestamp).getBytes(StandardCharsets.UTF_8)));

        send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/webhooks/hubspot/acme"))
                .header("content-type", "application/json").header("X-Forwarded-Proto", "https")
                .header("X-Forwarded-Host", "hooks.example.test").header("X-Forwarded-For", "198.51.100.7")
                .header("X-HubSpot-Signature-v3", signature).header("X-HubSpot-Request-Timestamp", timestamp)
                .POST(HttpRequest.BodyPublishers.ofString(body)));

        WebhookRequest request = requestOf(lastEvent.get());
        assertThat(PublicUrl.of(request, Optional.empty())).isEqualTo(publicUrl);
        assertThat(request.header("x-forwarded-for")).contains("198.51.100.7, 127.0.0.1");
        assertThat(verify("hubspot", request, secret)).isInstanceOf(Verification.Verified.class);
    }

    private static void send(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(202);
    }

    private static Verification verify(String system, WebhookRequest request, String secret) {
        return SignatureSchemes.forProfile(PROFILES.find(system).orElseThrow(), Optional.empty())
                .verify(request, List.of(secret), Instant.now());
    }

    /** The request as IngressFunction builds it from the payload 2.0 event. */
    private static WebhookRequest requestOf(String event) throws Exception {
        JsonNode root = JSON.readTree(event);
        Map<String, String> headers = new HashMap<>();
        root.path("headers").fields().forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText()));
        String body = root.path("body").asText("");
        byte[] bytes = root.path("isBase64Encoded").asBoolean() ? Base64.getDecoder().decode(body)
                : body.getBytes(StandardCharsets.UTF_8);
        return new WebhookRequest(root.path("requestContext").path("http").path("method").asText(),
                root.path("rawPath").asText(), root.path("rawQueryString").asText(), headers, bytes);
    }
}
