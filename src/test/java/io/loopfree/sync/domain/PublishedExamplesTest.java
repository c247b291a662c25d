package io.loopfree.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.adapters.profiles.JsonProfileRepository;
import io.loopfree.sync.domain.webhook.ChallengeAnswer;
import io.loopfree.sync.domain.webhook.ChallengeSpec;
import io.loopfree.sync.domain.webhook.Json;
import io.loopfree.sync.domain.webhook.ProviderProfile;
import io.loopfree.sync.domain.webhook.SignatureSchemes;
import io.loopfree.sync.domain.webhook.Verification;
import io.loopfree.sync.domain.webhook.WebhookRequest;

/**
 * The example values the providers publish in their own documentation, verified by the shipped profiles. (Standard
 * Webhooks' published example is in {@link StandardWebhooksSchemeTest}. Stripe, HubSpot v3, Shopify, Zoom and
 * Smartsheet publish no complete secret/payload/signature triple; they are covered by SDK-made or
 * documentation-derived signatures instead.)
 */
class PublishedExamplesTest {

    /** docs.github.com, "Validating webhook deliveries", "Testing the webhook payload validation". */
    @Test
    void github() {
        WebhookRequest request = new WebhookRequest("POST", "/webhooks/github/acme", Map.of("X-Hub-Signature-256",
                "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"),
                "Hello, World!".getBytes(StandardCharsets.UTF_8));
        assertThat(verify("github", request, "It's a Secret to Everybody", Instant.now())).isEqualTo(Verification.verified(0));
        assertThat(verify("github", request, "It's a secret to everybody", Instant.now())).isInstanceOf(Verification.Rejected.class);
    }

    /** api.slack.com/authentication/verifying-requests-from-slack, the worked example. */
    @Test
    void slack() {
        String body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
                + "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
                + "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
                + "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
        WebhookRequest request = new WebhookRequest("POST", "/webhooks/slack/acme", Map.of(
                "X-Slack-Request-Timestamp", "1531420618",
                "X-Slack-Signature", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
                "Content-Type", "application/x-www-form-urlencoded"), body.getBytes(StandardCharsets.UTF_8));
        Instant sentAt = Instant.ofEpochSecond(1531420618);
        assertThat(verify("slack", request, "8f742231b10e8888abcd99yyyzzz85a5", sentAt.plusSeconds(5)))
                .isEqualTo(Verification.verified(0));
        // the same request replayed six minutes later is refused
        assertThat(verify("slack", request, "8f742231b10e8888abcd99yyyzzz85a5", sentAt.plusSeconds(360)))
                .isEqualTo(Verification.rejected("stale timestamp: older than the 300 s tolerance"));
    }

    /** Twilio's helper-library validation example (token 12345, the myapp.php URL and its five parameters). */
    @Test
    void twilio() {
        String form = "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309&To=%2B18005551212";
        WebhookRequest request = new WebhookRequest("POST", "/myapp.php", "foo=1&bar=2", Map.of(
                "host", "mycompany.com", "x-forwarded-proto", "https", "x-forwarded-port", "443",
                "content-type", "application/x-www-form-urlencoded",
                "X-Twilio-Signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8="), form.getBytes(StandardCharsets.UTF_8));
        assertThat(verify("twilio", request, "12345", Instant.now())).isEqualTo(Verification.verified(0));
    }

    /** learn.microsoft.com/graph/change-notifications-delivery-webhooks, "Change notification example". */
    @Test
    void graphClientState() {
        String body = """
                {"value":[{"id":"lsgTZMr9KwAAA","subscriptionId":"{subscription_guid}",
                "subscriptionExpirationDateTime":"2016-03-19T22:11:09.952Z","clientState":"secretClientValue",
                "changeType":"created","resource":"users/{user_guid}@{tenant_guid}/messages/{long_id_string}",
                "tenantId":"84bd8158-6d4d-4958-8b9f-9d6445542f95","resourceData":{"@odata.type":"#Microsoft.Graph.Message",
                "@odata.id":"Users/{user_guid}@{tenant_guid}/Messages/{long_id_string}",
                "@odata.etag":"W/\\"CQAAABYAAADkrWGo7bouTKlsgTZMr9KwAAAUWRHf\\"","id":"{long_id_string}"}}]}""";
        WebhookRequest request = new WebhookRequest("POST", "/webhooks/graph/acme", Map.of(),
                body.getBytes(StandardCharsets.UTF_8));
        assertThat(verify("graph", request, "secretClientValue", Instant.now())).isEqualTo(Verification.verified(0));
        assertThat(verify("graph", request, "SecretClientState", Instant.now()))
                .isEqualTo(Verification.rejected("client state mismatch"));
    }

    /** api.slack.com/events/url_verification: the example event and the plain-text answer. */
    @Test
    void slackUrlVerificationAnswer() {
        byte[] body = "{\"token\":\"Jhj5dZrVaK7ZwHHjRyZWjbDl\",\"challenge\":\"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P\",\"type\":\"url_verification\"}"
                .getBytes(StandardCharsets.UTF_8);
        WebhookRequest request = new WebhookRequest("POST", "/webhooks/slack/acme", Map.of(), body);
        assertThat(answer("slack", request, List.of())).isEqualTo(new ChallengeAnswer.Answered("text/plain",
                "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", Map.of()));
    }

    /** developers.facebook.com/docs/graph-api/webhooks/getting-started, "Verification requests" example. */
    @Test
    void metaVerificationRequest() {
        WebhookRequest request = new WebhookRequest("GET", "/webhooks/meta/acme",
                "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock", Map.of(), new byte[0]);
        assertThat(answer("meta", request, List.of("meatyhamhock")))
                .isEqualTo(new ChallengeAnswer.Answered("text/plain", "1158201444", Map.of()));
        assertThat(answer("meta", request, List.of("another-token")))
                .isEqualTo(new ChallengeAnswer.Refused(401, "invalid_verify_token", "verify token mismatch"));
    }

    /**
     * developers.zoom.us/docs/api/webhooks, "Validate your webhook endpoint": the example request's plainToken; the
     * page does not publish the secret behind its encryptedToken, so the answer is checked against the formula.
     */
    @Test
    void zoomUrlValidationAnswer() {
        byte[] body = "{\"payload\":{\"plainToken\":\"qgg8vlvZRS6UYooatFL8Aw\"},\"event_ts\":1654503849680,\"event\":\"endpoint.url_validation\"}"
                .getBytes(StandardCharsets.UTF_8);
        WebhookRequest request = new WebhookRequest("POST", "/webhooks/zoom/acme", Map.of(), body);
        ChallengeSpec challenge = profile("zoom").challenges().get(0);
        ChallengeAnswer.Outcome outcome = ChallengeAnswer.answer(challenge, request, () -> Json.parse(body),
                Optional.of("zoom-secret"), List.of());
        String expected = ProviderCases.hex(ProviderCases.hmac("HmacSHA256", ProviderCases.utf8("zoom-secret"),
                ProviderCases.utf8("qgg8vlvZRS6UYooatFL8Aw")));
        assertThat(outcome).isEqualTo(new ChallengeAnswer.Answered("application/json",
                "{\"plainToken\":\"qgg8vlvZRS6UYooatFL8Aw\",\"encryptedToken\":\"" + expected + "\"}", Map.of()));
    }

    static ProviderProfile profile(String system) {
        return new JsonProfileRepository(Optional.empty()).find(system).orElseThrow();
    }

    private static Verification verify(String system, WebhookRequest request, String secret, Instant now) {
        return SignatureSchemes.forProfile(profile(system), Optional.empty()).verify(request, List.of(secret), now);
    }

    private static ChallengeAnswer.Outcome answer(String system, WebhookRequest request, List<String> verifyTokens) {
        ChallengeSpec challenge = profile(system).challenges().get(0);
        assertThat(challenge.matches(request, () -> Json.parse(request.body()))).isTrue();
        return ChallengeAnswer.answer(challenge, request, () -> Json.parse(request.body()), Optional.of("unused"), verifyTokens);
    }
}
