package io.loopfree.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.standardwebhooks.Webhook;

import io.loopfree.sync.domain.webhook.StandardWebhooksScheme;
import io.loopfree.sync.domain.webhook.Verification;
import io.loopfree.sync.domain.webhook.WebhookRequest;

class StandardWebhooksSchemeTest {

    // The example published with the Standard Webhooks reference libraries (and Svix's docs).
    static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    static final long SPEC_TIMESTAMP = 1614265330;
    static final String SPEC_PAYLOAD = "{\"test\": 2432232314}";
    static final String SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    final StandardWebhooksScheme scheme = new StandardWebhooksScheme(Duration.ofMinutes(5));

    @Test
    void verifiesThePublishedExample() {
        Verification result = scheme.verify(request(SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE, SPEC_PAYLOAD),
                List.of(SPEC_SECRET), Instant.ofEpochSecond(SPEC_TIMESTAMP + 10));
        assertThat(result).isEqualTo(Verification.verified(0));
    }

    @Test
    void signsLikeThePublishedExample() {
        assertThat(StandardWebhooksScheme.sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP,
                SPEC_PAYLOAD.getBytes(StandardCharsets.UTF_8))).isEqualTo(SPEC_SIGNATURE);
    }

    @Test
    void verifiesWhatTheReferenceLibrarySigns() throws Exception {
        Webhook sender = new Webhook(SPEC_SECRET);
        long now = 1_795_168_800L;
        String payload = "{\"type\":\"contact.updated\",\"data\":{\"id\":\"c_1\",\"name\":\"Zoë\"}}";
        String signature = sender.sign("msg_lib", now, payload);
        assertThat(scheme.verify(request("msg_lib", now, signature, payload), List.of(SPEC_SECRET),
                Instant.ofEpochSecond(now))).isInstanceOf(Verification.Verified.class);
    }

    @Test
    void whatWeSignTheReferenceLibraryVerifies() throws Exception {
        long now = Instant.now().getEpochSecond();
        String payload = "{\"hello\":\"world\"}";
        String signature = StandardWebhooksScheme.sign(SPEC_SECRET, "msg_ours", now, payload.getBytes(StandardCharsets.UTF_8));
        new Webhook(SPEC_SECRET).verify(payload, Map.of(
                "webhook-id", List.of("msg_ours"),
                "webhook-timestamp", List.of(Long.toString(now)),
                "webhook-signature", List.of(signature)));
    }

    @Test
    void rejectsATamperedBody() {
        assertRejected(request(SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE, "{\"test\": 2432232315}"), "signature mismatch");
    }

    @Test
    void rejectsTheWrongSecret() {
        Verification result = scheme.verify(request(SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE, SPEC_PAYLOAD),
                List.of("whsec_" + java.util.Base64.getEncoder().encodeToString("another".getBytes())),
                Instant.ofEpochSecond(SPEC_TIMESTAMP));
        assertThat(result).isEqualTo(Verification.rejected("signature mismatch"));
    }

    @Test
    void acceptsAnyActiveSecretDuringARotation() {
        Verification result = scheme.verify(request(SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE, SPEC_PAYLOAD),
                List.of("whsec_bmV3LXNlY3JldA==", SPEC_SECRET), Instant.ofEpochSecond(SPEC_TIMESTAMP));
        assertThat(result).isInstanceOf(Verification.Verified.class);
    }

    @Test
    void acceptsWhenAnyOfSeveralSignaturesMatches() {
        String header = "v1,bm90LXRoaXMtb25l v1a,YXN5bW1ldHJpYw== " + SPEC_SIGNATURE;
        assertThat(scheme.verify(request(SPEC_ID, SPEC_TIMESTAMP, header, SPEC_PAYLOAD), List.of(SPEC_SECRET),
                Instant.ofEpochSecond(SPEC_TIMESTAMP))).isInstanceOf(Verification.Verified.class);
    }

    @Test
    void rejectsTimestampsOutsideTheTolerance() {
        WebhookRequest request = request(SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE, SPEC_PAYLOAD);
        assertThat(scheme.verify(request, List.of(SPEC_SECRET), Instant.ofEpochSecond(SPEC_TIMESTAMP + 301)))
                .isEqualTo(Verification.rejected("stale timestamp: older than the 300 s tolerance"));
        assertThat(scheme.verify(request, List.of(SPEC_SECRET), Instant.ofEpochSecond(SPEC_TIMESTAMP - 301)))
                .isEqualTo(Verification.rejected("future timestamp: ahead by more than the 300 s tolerance"));
        assertThat(scheme.verify(request, List.of(SPEC_SECRET), Instant.ofEpochSecond(SPEC_TIMESTAMP + 300)))
                .isInstanceOf(Verification.Verified.class);
    }

    @Test
    void rejectsMissingAndMalformedHeaders() {
        WebhookRequest noSignature = new WebhookRequest("POST", "/", Map.of("webhook-id", SPEC_ID,
                "webhook-timestamp", Long.toString(SPEC_TIMESTAMP)), SPEC_PAYLOAD.getBytes(StandardCharsets.UTF_8));
        assertThat(scheme.verify(noSignature, List.of(SPEC_SECRET), Instant.ofEpochSecond(SPEC_TIMESTAMP)))
                .isInstanceOf(Verification.Rejected.class);
        assertRejected(request(SPEC_ID, SPEC_TIMESTAMP, "v2,abc", SPEC_PAYLOAD), "no v1 signature in webhook-signature");
        assertRejected(request(SPEC_ID, SPEC_TIMESTAMP, "v1,%%%", SPEC_PAYLOAD), "no v1 signature in webhook-signature");
        WebhookRequest badTimestamp = new WebhookRequest("POST", "/", Map.of("webhook-id", SPEC_ID,
                "webhook-timestamp", "yesterday", "webhook-signature", SPEC_SIGNATURE), new byte[0]);
        assertThat(scheme.verify(badTimestamp, List.of(SPEC_SECRET), Instant.ofEpochSecond(SPEC_TIMESTAMP)))
                .isEqualTo(Verification.rejected("malformed webhook-timestamp: not epoch seconds"));
    }

    @Test
    void headerNamesAreCaseInsensitive() {
        WebhookRequest request = new WebhookRequest("POST", "/", Map.of("Webhook-Id", SPEC_ID,
                "WEBHOOK-TIMESTAMP", Long.toString(SPEC_TIMESTAMP), "Webhook-Signature", SPEC_SIGNATURE),
                SPEC_PAYLOAD.getBytes(StandardCharsets.UTF_8));
        assertThat(scheme.verify(request, List.of(SPEC_SECRET), Instant.ofEpochSecond(SPEC_TIMESTAMP)))
                .isInstanceOf(Verification.Verified.class);
    }

    @Test
    void aRejectionNeverEchoesTheSecretOrTheExpectedSignature() {
        Verification result = scheme.verify(request(SPEC_ID, SPEC_TIMESTAMP, "v1,AAAA", SPEC_PAYLOAD),
                List.of(SPEC_SECRET), Instant.ofEpochSecond(SPEC_TIMESTAMP));
        String reason = ((Verification.Rejected) result).reason();
        assertThat(reason).doesNotContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").doesNotContain("g0hM9SsE");
    }

    private void assertRejected(WebhookRequest request, String reason) {
        assertThat(scheme.verify(request, List.of(SPEC_SECRET), Instant.ofEpochSecond(SPEC_TIMESTAMP)))
                .isEqualTo(Verification.rejected(reason));
    }

    private static WebhookRequest request(String id, long timestamp, String signature, String payload) {
        return new WebhookRequest("POST", "/webhooks/app/acme", Map.of(
                "webhook-id", id,
                "webhook-timestamp", Long.toString(timestamp),
                "webhook-signature", signature), payload.getBytes(StandardCharsets.UTF_8));
    }
}
