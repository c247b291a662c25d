package io.loopfree.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.slack.api.app_backend.SlackSignature;
import com.stripe.net.Webhook;
import com.twilio.security.RequestValidator;

import io.loopfree.sync.adapters.profiles.JsonProfileRepository;
import io.loopfree.sync.domain.webhook.SignatureSchemes;
import io.loopfree.sync.domain.webhook.Verification;
import io.loopfree.sync.domain.webhook.WebhookRequest;
import io.loopfree.sync.support.Fixtures;
import io.loopfree.sync.support.ProviderSecrets;

/**
 * Signatures made by the providers' own SDKs verify with the shipped profiles, and the SDKs' own verifiers accept
 * the recorded fixtures (so the fixtures are signed the way the providers sign). Standard Webhooks' reference
 * library is exercised in {@link StandardWebhooksSchemeTest}.
 */
class ProviderSdkSignaturesTest {

    static final Instant NOW = Fixtures.REPLAYED_AT;

    @Test
    void stripeSdkSignatureVerifies() throws Exception {
        String payload = "{\"id\":\"evt_sdk_1\",\"object\":\"event\",\"type\":\"customer.updated\"}";
        long t = NOW.getEpochSecond() - 2;
        String v1 = Webhook.Util.computeHmacSha256(ProviderSecrets.STRIPE, t + "." + payload);
        WebhookRequest request = request("stripe", Map.of("Stripe-Signature", "t=" + t + ",v1=" + v1), payload);
        assertThat(verify("stripe", request, List.of(ProviderSecrets.STRIPE))).isEqualTo(Verification.verified(0));
    }

    @Test
    void stripeSdkAcceptsTheRecordedFixture() throws Exception {
        String payload = new String(Fixtures.rawBody("ingress", "stripe-payment-succeeded.json"), StandardCharsets.UTF_8);
        String header = header("stripe-payment-succeeded.json", "stripe-signature");
        assertThat(Webhook.Signature.verifyHeader(payload, header, ProviderSecrets.STRIPE, 300,
                Clock.fixed(NOW, ZoneOffset.UTC))).isTrue();
    }

    @Test
    void slackSdkSignatureVerifies() {
        String body = "{\"type\":\"event_callback\",\"event_id\":\"Ev_SDK\",\"event\":{\"type\":\"app_mention\"}}";
        String timestamp = Long.toString(NOW.getEpochSecond());
        String signature = new SlackSignature.Generator(ProviderSecrets.SLACK).generate(timestamp, body);
        WebhookRequest request = request("slack", Map.of(SlackSignature.HeaderNames.X_SLACK_REQUEST_TIMESTAMP, timestamp,
                SlackSignature.HeaderNames.X_SLACK_SIGNATURE, signature), body);
        assertThat(verify("slack", request, List.of(ProviderSecrets.SLACK))).isEqualTo(Verification.verified(0));
    }

    @Test
    void slackSdkAcceptsTheRecordedFixtures() {
        SlackSignature.Verifier verifier = new SlackSignature.Verifier(new SlackSignature.Generator(ProviderSecrets.SLACK));
        for (String fixture : List.of("slack-event-callback.json", "slack-url-verification.json", "slack-slash-command.json")) {
            String body = new String(Fixtures.rawBody("ingress", fixture), StandardCharsets.UTF_8);
            assertThat(verifier.isValid(header(fixture, "x-slack-request-timestamp"), body,
                    header(fixture, "x-slack-signature"), NOW.toEpochMilli())).as(fixture).isTrue();
        }
    }

    @Test
    void twilioSdkAcceptsThePublishedExampleAndTheRecordedFixtures() throws Exception {
        RequestValidator published = new RequestValidator("12345");
        Map<String, String> params = new LinkedHashMap<>();
        params.put("CallSid", "CA1234567890ABCDE");
        params.put("Caller", "+14158675309");
        params.put("Digits", "1234");
        params.put("From", "+14158675309");
        params.put("To", "+18005551212");
        assertThat(published.validate("https://mycompany.com/myapp.php?foo=1&bar=2", params, "RSOYDt4T1cUTdK1PDd93/VVr8B8="))
                .isTrue();

        RequestValidator validator = new RequestValidator(ProviderSecrets.TWILIO);
        String url = "https://abc123.execute-api.eu-west-1.amazonaws.com/webhooks/twilio/acme";
        WebhookRequest sms = new WebhookRequest("POST", "/", Map.of("content-type", "application/x-www-form-urlencoded"),
                Fixtures.rawBody("ingress", "twilio-inbound-sms.json"));
        Map<String, String> form = new LinkedHashMap<>();
        sms.formParameters().forEach(p -> form.put(p.name(), p.value()));
        assertThat(validator.validate(url, form, header("twilio-inbound-sms.json", "x-twilio-signature"))).isTrue();

        String json = new String(Fixtures.rawBody("ingress", "twilio-json-body.json"), StandardCharsets.UTF_8);
        String query = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Fixtures.event("ingress", "twilio-json-body.json")).path("rawQueryString").asText();
        assertThat(validator.validate(url + "?" + query, json, header("twilio-json-body.json", "x-twilio-signature"))).isTrue();
    }

    private static String header(String fixture, String name) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(Fixtures.event("ingress", fixture))
                    .path("headers").path(name).asText();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static WebhookRequest request(String system, Map<String, String> headers, String body) {
        return new WebhookRequest("POST", "/webhooks/" + system + "/acme", headers, body.getBytes(StandardCharsets.UTF_8));
    }

    private static Verification verify(String system, WebhookRequest request, List<String> secrets) {
        return SignatureSchemes.forProfile(new JsonProfileRepository(Optional.empty()).find(system).orElseThrow(),
                Optional.empty()).verify(request, secrets, NOW);
    }
}
