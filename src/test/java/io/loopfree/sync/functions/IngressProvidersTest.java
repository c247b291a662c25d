package io.loopfree.sync.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.loopfree.sync.domain.envelope.EnvelopeCodec;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.support.Fixtures;
import io.loopfree.sync.support.Profiles;
import io.loopfree.sync.support.ProviderSecrets;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * Every shipped provider profile over its recorded API Gateway events ({@code functions/ingress/events/<provider>-*.json},
 * signed at {@link Fixtures#SIGNED_AT} with {@link ProviderSecrets}): status, reason, and exactly what landed on
 * the queue (a real SQS wire protocol), or that nothing did.
 */
@QuarkusTest
@TestProfile(Profiles.Ingress.class)
class IngressProvidersTest extends IngressTestSupport {

    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> SECRETS = List.of(ProviderSecrets.STRIPE, ProviderSecrets.STRIPE_PREVIOUS,
            ProviderSecrets.GITHUB, ProviderSecrets.SLACK, ProviderSecrets.HUBSPOT, ProviderSecrets.SHOPIFY,
            ProviderSecrets.ZOOM, ProviderSecrets.SMARTSHEET, ProviderSecrets.META_APP_SECRET,
            ProviderSecrets.META_VERIFY_TOKEN, ProviderSecrets.GENERIC_HMAC);

    @Override
    protected List<String> configuredSecrets() {
        return SECRETS;
    }


    // ---------------------------------------------------------------- Stripe

    @Test
    void stripeEventIsEnqueuedWithItsEventIdAndBodyByteForByte() {
        Envelope envelope = single(accepted("stripe-payment-succeeded.json", "evt_3QxAcme0001"));
        assertEnvelope(envelope, "stripe", "evt_3QxAcme0001", "stripe-payment-succeeded.json",
                Map.of("content-type", "application/json; charset=utf-8",
                        "user-agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)"));
    }

    @Test
    void stripeSignedWithThePreviousSecretAmongSeveralV1IsAccepted() {
        single(accepted("stripe-rolled-secret.json", "evt_3QxAcme0001"));
    }

    @Test
    void stripeStaleTimestampAndTamperedBodyAre401() {
        assertRefused("stripe-stale-timestamp.json", 401, "invalid_signature", "stale timestamp");
        assertRefused("stripe-tampered-body.json", 401, "invalid_signature", "signature mismatch");
    }

    // ---------------------------------------------------------------- GitHub

    @Test
    void githubPublishedTestValuesAreAcceptedEndToEnd() {
        Envelope envelope = single(accepted("github-published-example.json", "72d3162e-cc78-11e3-81ab-4c9367dc0958"));
        assertThat(envelope.body()).isEqualTo("Hello, World!");
        assertThat(envelope.headers()).containsEntry("x-github-event", "ping").doesNotContainKey("x-hub-signature-256");
    }

    @Test
    void githubBase64BodyIsVerifiedOverTheDecodedBytesAndKept() {
        Envelope envelope = single(accepted("github-push-base64.json", "f6b3a5c0-77e2-11f0-8c1e-2b0f8a3f1d11"));
        assertEnvelope(envelope, "github", "f6b3a5c0-77e2-11f0-8c1e-2b0f8a3f1d11", "github-push-base64.json",
                Map.of("x-github-event", "push", "x-github-delivery", "f6b3a5c0-77e2-11f0-8c1e-2b0f8a3f1d11",
                        "x-github-hook-id", "292430182", "content-type", "application/json",
                        "user-agent", "GitHub-Hookshot/044aadd"));
        assertThat(envelope.body()).contains("naïve");
    }

    @Test
    void githubBadOrMissingSignatureIs401AndGetIs405() {
        assertRefused("github-bad-signature.json", 401, "invalid_signature", "signature mismatch");
        assertRefused("github-missing-signature.json", 401, "invalid_signature", "missing header: X-Hub-Signature-256");
        assertRefused("github-get.json", 405, "method_not_allowed", "POST");
    }

    // ---------------------------------------------------------------- Slack

    @Test
    void slackUrlVerificationIsAnsweredWithTheChallengeAndEnqueuesNothing() {
        assertChallenge("slack-url-verification.json", "text/plain", "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
    }

    @Test
    void slackUrlVerificationWithABadSignatureIsNotAnswered() {
        assertRefused("slack-url-verification-forged.json", 401, "invalid_signature", "signature mismatch");
    }

    @Test
    void slackEventCallbackIsEnqueuedUnderItsEventId() {
        Envelope envelope = single(accepted("slack-event-callback.json", "Ev08MFMKH6"));
        assertEnvelope(envelope, "slack", "Ev08MFMKH6", "slack-event-callback.json", Map.of(
                "x-slack-request-timestamp", "1795168800", "content-type", "application/json",
                "user-agent", "Slackbot 1.0 (+https://api.slack.com/robots)"));
    }

    @Test
    void slackSlashCommandWithoutAnEventIdIsIdentifiedByItsBodyHash() {
        byte[] body = Fixtures.rawBody("ingress", "slack-slash-command.json");
        String expectedId = sha256(body);
        Envelope envelope = single(accepted("slack-slash-command.json", expectedId));
        assertThat(envelope.rawBody()).isEqualTo(body);
    }

    @Test
    void slackFutureTimestampIs401() {
        assertRefused("slack-future-timestamp.json", 401, "invalid_signature", "future timestamp");
    }

    // ---------------------------------------------------------------- HubSpot

    @Test
    void hubspotBatchOfTwelveBecomesTwelveEnvelopesEachWithItsOwnEventIdAndBytes() throws Exception {
        List<Envelope> envelopes = accepted("hubspot-batch.json", "1001", "1002", "1003", "1004", "1005", "1006",
                "1007", "1008", "1009", "1010", "1011", "1012");
        JsonNode events = JSON.readTree(Fixtures.rawBody("ingress", "hubspot-batch.json"));
        for (Envelope envelope : envelopes) {
            JsonNode element = events.get(Integer.parseInt(envelope.eventId()) - 1001);
            assertThat(envelope.body()).isEqualTo(element.toString());
            assertThat(envelope.system()).isEqualTo("hubspot");
            assertThat(envelope.headers()).isEqualTo(Map.of("x-hubspot-request-timestamp", "1795168800000",
                    "content-type", "application/json", "user-agent", "HubSpot Connect 2.0 (http://dev.hubspot.com/)"));
        }
    }

    @Test
    void hubspotSignatureCoversTheQueryStringWithItsDocumentedDecoding() {
        assertThat(accepted("hubspot-encoded-query.json", "1001", "1002", "1003", "1004", "1005", "1006", "1007",
                "1008", "1009", "1010", "1011", "1012")).hasSize(12);
    }

    @Test
    void hubspotBodyThatIsNotAnArrayIs400AndStaleIs401() {
        assertRefused("hubspot-not-an-array.json", 400, "malformed_delivery", "the body is not a JSON array");
        assertRefused("hubspot-stale-timestamp.json", 401, "invalid_signature", "stale timestamp");
    }

    @Test
    void hubspotSignedForACustomDomainFailsWithoutThePublicBaseUrlSetting() {
        assertRefused("hubspot-custom-domain.json", 401, "invalid_signature", "signature mismatch");
    }

    // ---------------------------------------------------------------- Shopify

    @Test
    void shopifyOrderIsEnqueuedUnderItsWebhookId() {
        Envelope envelope = single(accepted("shopify-orders-create.json", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"));
        assertEnvelope(envelope, "shopify", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", "shopify-orders-create.json",
                Map.of("x-shopify-topic", "orders/create", "x-shopify-shop-domain", "acme.myshopify.com",
                        "x-shopify-api-version", "2025-10", "x-shopify-webhook-id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
                        "x-shopify-event-id", "98880550-7158-44d4-b7cd-2c97c8a091b5",
                        "x-shopify-triggered-at", "2026-11-20T09:59:59.000Z", "content-type", "application/json"));
        assertRefused("shopify-tampered-body.json", 401, "invalid_signature", "signature mismatch");
    }

    // ---------------------------------------------------------------- Microsoft Graph

    @Test
    void graphValidationTokenIsEchoedDecodedAsPlainText() {
        assertChallenge("graph-validation.json", "text/plain",
                "Validation: Testing client application reachability for subscription Request-Id: b3c1f6a2-4d5e-4f70-8a91-2c3d4e5f6a7b");
    }

    @Test
    void graphNotificationsAreSplitWithTheirIdsOrTheirHash() throws Exception {
        byte[] body = Fixtures.rawBody("ingress", "graph-notifications.json");
        JsonPath response = invoke(Fixtures.event("ingress", "graph-notifications.json"));
        assertThat(response.getInt("statusCode")).isEqualTo(202);
        List<Envelope> envelopes = enqueued();
        assertThat(envelopes).hasSize(2);
        JsonNode value = JSON.readTree(body).get("value");
        Envelope first = byEventId(envelopes, "lsgTZMr9KwAAA");
        assertThat(JSON.readTree(first.body())).isEqualTo(value.get(0));
        Envelope second = envelopes.stream().filter(e -> e != first).findFirst().orElseThrow();
        assertThat(JSON.readTree(second.body())).isEqualTo(value.get(1));
        assertThat(second.eventId()).isEqualTo(sha256(second.rawBody()));
        for (Envelope envelope : envelopes) { // each element is the exact slice of what Graph sent
            assertThat(new String(body, StandardCharsets.UTF_8)).contains(envelope.body());
        }
        assertThat(JsonPath.from(response.getString("body")).getList("eventIds"))
                .containsExactly("lsgTZMr9KwAAA", second.eventId());
    }

    @Test
    void graphNotificationWithAWrongClientStateIs401() {
        assertRefused("graph-wrong-client-state.json", 401, "invalid_signature", "client state mismatch");
    }

    // ---------------------------------------------------------------- Zoom

    @Test
    void zoomUrlValidationIsAnsweredWithTheTokenAndItsHmac() {
        String expected = HexFormat.of().formatHex(hmacSha256(ProviderSecrets.ZOOM, "qgg8vlvZRS6UYooatFL8Aw"));
        assertChallenge("zoom-url-validation.json", "application/json",
                "{\"plainToken\":\"qgg8vlvZRS6UYooatFL8Aw\",\"encryptedToken\":\"" + expected + "\"}");
    }

    @Test
    void zoomEventIsEnqueuedUnderItsBodyHashAndABadSignatureIs401() {
        byte[] body = Fixtures.rawBody("ingress", "zoom-meeting-started.json");
        Envelope envelope = single(accepted("zoom-meeting-started.json", sha256(body)));
        assertThat(envelope.rawBody()).isEqualTo(body);
        assertRefused("zoom-bad-signature.json", 401, "invalid_signature", "signature mismatch");
    }

    // ---------------------------------------------------------------- Smartsheet

    @Test
    void smartsheetVerificationIsEchoedInBodyAndHeader() {
        JsonPath response = invoke(Fixtures.event("ingress", "smartsheet-verification.json"));
        assertThat(response.getInt("statusCode")).isEqualTo(200);
        assertThat(response.getString("body")).isEqualTo("{\"smartsheetHookResponse\":\"d78dd1d3-01ce-4835-9f06-ac6f2ce3e7f5\"}");
        assertThat(response.getString("headers.Smartsheet-Hook-Response")).isEqualTo("d78dd1d3-01ce-4835-9f06-ac6f2ce3e7f5");
        assertThat(drain(queueUrl, Duration.ZERO)).isEmpty();
    }

    @Test
    void smartsheetCallbackIsEnqueuedUnderItsNonceAndABadHmacIs401() {
        single(accepted("smartsheet-callback.json", "4b2ed20d-6f00-4b0c-8fac-082182aa9aac"));
        assertRefused("smartsheet-bad-hmac.json", 401, "invalid_signature", "signature mismatch");
    }

    // ---------------------------------------------------------------- Meta

    @Test
    void metaSubscriptionVerificationEchoesTheChallengeOnlyForTheRightVerifyToken() {
        assertChallenge("meta-verify-subscription.json", "text/plain", "1158201444");
        assertRefused("meta-verify-wrong-token.json", 401, "invalid_verify_token", "verify token mismatch");
    }

    @Test
    void metaNotificationIsEnqueuedAndABadSignatureIs401() {
        byte[] body = Fixtures.rawBody("ingress", "meta-page-feed.json");
        assertThat(single(accepted("meta-page-feed.json", sha256(body))).rawBody()).isEqualTo(body);
        assertRefused("meta-bad-signature.json", 401, "invalid_signature", "signature mismatch");
    }

    // ---------------------------------------------------------------- Twilio

    @Test
    void twilioFormPostIsVerifiedOverUrlAndSortedParameters() {
        Envelope envelope = single(accepted("twilio-inbound-sms.json", "9a3c2b1d-5e4f-4a6b-8c7d-0e1f2a3b4c5d"));
        assertThat(envelope.rawBody()).isEqualTo(Fixtures.rawBody("ingress", "twilio-inbound-sms.json"));
        assertThat(envelope.headers()).containsEntry("content-type", "application/x-www-form-urlencoded")
                .containsEntry("i-twilio-idempotency-token", "9a3c2b1d-5e4f-4a6b-8c7d-0e1f2a3b4c5d");
    }

    @Test
    void twilioJsonBodyIsVerifiedThroughBodySha256() {
        single(accepted("twilio-json-body.json", "1b2c3d4e-0000-4a6b-8c7d-0e1f2a3b4c5d"));
    }

    @Test
    void twilioTamperedParameterIs401() {
        assertRefused("twilio-tampered-param.json", 401, "invalid_signature", "signature mismatch");
    }

    // ---------------------------------------------------------------- generic HMAC

    @Test
    void genericHmacProfileAcceptsWhatItsParametersDescribe() {
        single(accepted("generic-hmac-valid.json", "evt-7781-1"));
    }

    @Test
    void aProfileOverrideFromTheDeploymentIsNotActiveHere() {
        // the deployment test's github override accepts this; the shipped profile wants X-Hub-Signature-256
        assertRefused("deployment-github-sha1.json", 401, "invalid_signature", "missing header: X-Hub-Signature-256");
    }

    // ---------------------------------------------------------------- helpers

    private List<Envelope> accepted(String fixture, String... eventIds) {
        JsonPath response = invoke(Fixtures.event("ingress", fixture));
        assertThat(response.getInt("statusCode")).as(fixture + ": " + response.getString("body")).isEqualTo(202);
        JsonPath body = JsonPath.from(response.getString("body"));
        assertThat(body.getString("status")).isEqualTo("accepted");
        assertThat(body.getList("eventIds", String.class)).containsExactlyInAnyOrder(eventIds);
        List<Envelope> envelopes = enqueued();
        assertThat(envelopes).extracting(Envelope::eventId).as(fixture).containsExactlyInAnyOrder(eventIds);
        envelopes.forEach(e -> {
            assertThat(e.tenant()).isEqualTo(ProviderSecrets.TENANT);
            assertThat(e.receivedAt()).isEqualTo(Fixtures.REPLAYED_AT);
        });
        return envelopes;
    }

    private List<Envelope> enqueued() {
        return drain(queueUrl, Duration.ofSeconds(1)).stream().map(m -> EnvelopeCodec.decode(m.body())).toList();
    }

    private static Envelope single(List<Envelope> envelopes) {
        assertThat(envelopes).hasSize(1);
        return envelopes.get(0);
    }

    private static Envelope byEventId(List<Envelope> envelopes, String eventId) {
        return envelopes.stream().filter(e -> e.eventId().equals(eventId)).findFirst().orElseThrow();
    }

    private static void assertEnvelope(Envelope envelope, String system, String eventId, String fixture,
            Map<String, String> headers) {
        assertThat(envelope.system()).isEqualTo(system);
        assertThat(envelope.eventId()).isEqualTo(eventId);
        assertThat(envelope.rawBody()).isEqualTo(Fixtures.rawBody("ingress", fixture));
        assertThat(envelope.bodyEncoding()).isEqualTo(Envelope.BodyEncoding.utf8);
        assertThat(envelope.headers()).isEqualTo(headers);
    }

    private void assertChallenge(String fixture, String contentType, String body) {
        JsonPath response = invoke(Fixtures.event("ingress", fixture));
        assertThat(response.getInt("statusCode")).as(fixture + ": " + response.getString("body")).isEqualTo(200);
        assertThat(response.getString("headers.content-type")).isEqualTo(contentType);
        assertThat(response.getString("body")).isEqualTo(body);
        assertThat(drain(queueUrl, Duration.ZERO)).as("a challenge enqueues nothing").isEmpty();
    }


    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] hmacSha256(String key, String content) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(content.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] base64(String text) {
        return Base64.getDecoder().decode(text);
    }
}
