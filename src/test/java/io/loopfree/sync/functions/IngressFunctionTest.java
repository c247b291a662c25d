package io.loopfree.sync.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.loopfree.sync.domain.envelope.EnvelopeCodec;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.domain.webhook.StandardWebhooksScheme;
import io.loopfree.sync.ports.EnvelopeQueue;
import io.loopfree.sync.support.Fixtures;
import io.loopfree.sync.support.LogCapture;
import io.loopfree.sync.support.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import software.amazon.awssdk.services.sqs.model.Message;

/** The ingress function over its recorded API Gateway events, enqueueing to a real SQS wire protocol. */
@QuarkusTest
@TestProfile(Profiles.Ingress.class)
class IngressFunctionTest extends IngressTestSupport {

    static final String VALID_BODY = JsonPath.from(Fixtures.event("ingress", "valid.json")).getString("body");

    @Inject
    EnvelopeQueue queue;

    @Override
    protected List<String> configuredSecrets() {
        return List.of(Fixtures.CURRENT_SECRET, Fixtures.PREVIOUS_SECRET);
    }


    @Test
    void aValidDeliveryIsAcceptedAndEnqueuedAsItsRawEnvelope() {
        JsonPath response = invoke(Fixtures.event("ingress", "valid.json"));

        assertThat(response.getInt("statusCode")).isEqualTo(202);
        assertThat(response.getString("headers.content-type")).isEqualTo("application/json");
        assertThat(response.getString("body")).contains("\"eventId\":\"msg_2oV1pRkq8VcG7sXbE4nT9uZyW3a\"");
        List<Message> messages = drain(queueUrl, Duration.ofSeconds(1));
        assertThat(messages).hasSize(1);
        Envelope envelope = EnvelopeCodec.decode(messages.get(0).body());
        String sentBody = JsonPath.from(Fixtures.event("ingress", "valid.json")).getString("body");
        assertThat(envelope.system()).isEqualTo("app");
        assertThat(envelope.tenant()).isEqualTo("acme");
        assertThat(envelope.eventId()).isEqualTo("msg_2oV1pRkq8VcG7sXbE4nT9uZyW3a");
        assertThat(envelope.receivedAt()).isEqualTo(Fixtures.REPLAYED_AT);
        assertThat(envelope.body()).isEqualTo(sentBody);
        assertThat(envelope.bodyEncoding()).isEqualTo(Envelope.BodyEncoding.utf8);
        assertThat(envelope.headers()).containsEntry("webhook-id", "msg_2oV1pRkq8VcG7sXbE4nT9uZyW3a")
                .containsEntry("content-type", "application/json")
                .doesNotContainKey("webhook-signature")
                .doesNotContainKey("x-forwarded-for");
        assertThat(messages.get(0).messageAttributes().get("eventId").stringValue())
                .isEqualTo("msg_2oV1pRkq8VcG7sXbE4nT9uZyW3a");
    }

    @Test
    void aSendersRetryIsAcceptedAgainWithTheSameEventId() {
        assertThat(invoke(Fixtures.event("ingress", "valid.json")).getInt("statusCode")).isEqualTo(202);
        assertThat(invoke(Fixtures.event("ingress", "valid-redelivery.json")).getInt("statusCode")).isEqualTo(202);
        List<Message> messages = drain(queueUrl, Duration.ofSeconds(1));
        assertThat(messages).extracting(m -> EnvelopeCodec.decode(m.body()).eventId())
                .containsExactly("msg_2oV1pRkq8VcG7sXbE4nT9uZyW3a", "msg_2oV1pRkq8VcG7sXbE4nT9uZyW3a");
    }

    @Test
    void aBase64BodyIsDecodedAndPreservedByteForByte() {
        // a form body (API Gateway base64-encodes it) to a profile whose bodies may be anything
        JsonPath response = invoke(Fixtures.event("ingress", "twilio-inbound-sms.json"));
        assertThat(response.getInt("statusCode")).as(response.getString("body")).isEqualTo(202);
        Envelope envelope = EnvelopeCodec.decode(drain(queueUrl, Duration.ofSeconds(1)).get(0).body());
        assertThat(envelope.rawBody()).isEqualTo(Fixtures.rawBody("ingress", "twilio-inbound-sms.json"));
        assertThat(envelope.headers()).containsEntry("content-type", "application/x-www-form-urlencoded");
    }

    @Test
    void aFormOrBinaryBodyToAJsonProfileIs400() {
        // app's profile says "body": "json": its mapping could never read these, so they are not enqueued
        assertRefused("base64-body.json", 400, "malformed_body", "not JSON");
        assertRefused("binary-body.json", 400, "malformed_body", "not JSON");
    }

    @Test
    void bodiesAJsonProfileCanNeverParseAre400AndNotEnqueued() {
        assertRefusedEvent(signed("msg_empty_body", ""), 400, "malformed_body", "the body is empty");
        assertRefusedEvent(signed("msg_not_json", "contact updated, see attachment"), 400, "malformed_body", "not JSON");
        assertRefusedEvent(signed("msg_truncated", "{\"type\":\"contact.updated\",\"data\":{"), 400, "malformed_body",
                "not JSON");
        String deep = "[".repeat(5000) + "]".repeat(5000); // beyond the parser's nesting limit
        assertRefusedEvent(signed("msg_deep", deep), 400, "malformed_body", "not JSON");
    }

    @Test
    void anEventIdWithAControlCharacterIs400BeforeTheQueueAndNeverOpensTheBreaker() {
        for (int i = 0; i < 6; i++) { // more than the breaker's request volume threshold (4)
            assertRefusedEvent(signed("msg_\u0001bad" + i, VALID_BODY), 400, "malformed_delivery", "control");
        }
        assertThat(invoke(Fixtures.event("ingress", "valid.json")).getInt("statusCode")).isEqualTo(202);
        assertThat(drain(queueUrl, Duration.ofSeconds(1))).hasSize(1);
    }

    @Test
    void anEventIdOverTheBoundIs400AndTheReasonDoesNotQuoteIt() {
        String longId = "msg_" + "x".repeat(3000);
        JsonPath response = invoke(signed(longId, VALID_BODY));
        assertThat(response.getInt("statusCode")).isEqualTo(400);
        assertThat(response.getString("body")).contains("at most 256").doesNotContain("x".repeat(200));
        assertThat(drain(queueUrl, Duration.ZERO)).isEmpty();
    }

    @Test
    void envelopesTheQueueRefusesNeverOpenTheBreakerForEveryoneElse() {
        // past the ingress's own check, straight to the adapter: SQS refuses the attribute's control character
        Envelope refused = Envelope.of("app", "acme", "msg_\u0001\u007fbad", Fixtures.REPLAYED_AT, java.util.Map.of(),
                VALID_BODY.getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 6; i++) {
            assertThatThrownBy(() -> queue.send(refused)).isInstanceOf(EnvelopeQueue.EnvelopeRejectedException.class);
        }
        assertThat(invoke(Fixtures.event("ingress", "valid.json")).getInt("statusCode")).as("breaker still closed")
                .isEqualTo(202);
        assertThat(drain(queueUrl, Duration.ofSeconds(1))).hasSize(1);
    }

    @Test
    void signaturesFromThePreviousSecretMultipleSignaturesAndHeaderCaseAreAccepted() {
        assertThat(invoke(Fixtures.event("ingress", "rotated-secret.json")).getInt("statusCode")).isEqualTo(202);
        assertThat(invoke(Fixtures.event("ingress", "multiple-signatures.json")).getInt("statusCode")).isEqualTo(202);
        assertThat(invoke(Fixtures.event("ingress", "mixed-case-headers.json")).getInt("statusCode")).isEqualTo(202);
        assertThat(drain(queueUrl, Duration.ofSeconds(1))).hasSize(3);
    }

    @Test
    void everyRequestIsAMetricBySystemAndOutcomeAndANameFromTheUrlThatMatchesNoProfileNeverBecomesADimension() {
        String unknown = Fixtures.event("ingress", "valid.json").replace("/webhooks/app/", "/webhooks/nosuch-x1/")
                .replace("\"system\": \"app\"", "\"system\": \"nosuch-x1\"").replace("\"system\":\"app\"",
                        "\"system\":\"nosuch-x1\"");
        List<com.fasterxml.jackson.databind.JsonNode> received;
        List<com.fasterxml.jackson.databind.JsonNode> failures;
        List<com.fasterxml.jackson.databind.JsonNode> perAccount;
        try (LogCapture logs = LogCapture.start()) {
            assertThat(invoke(Fixtures.event("ingress", "valid.json")).getInt("statusCode")).isEqualTo(202);
            assertThat(invoke(Fixtures.event("ingress", "bad-signature.json")).getInt("statusCode")).isEqualTo(401);
            assertThat(invoke(unknown).getInt("statusCode")).isEqualTo(404);
            received = logs.emf("WebhooksReceived");
            failures = logs.emf("VerificationFailures");
            perAccount = logs.emf("WebhookEventsPerAccount");
        }
        assertThat(received).extracting(d -> d.path("system").asText() + "/" + d.path("outcome").asText())
                .containsExactly("app/accepted", "app/invalid_signature", "unknown/unknown_system");
        assertThat(received).allSatisfy(d -> assertThat(d.toString()).doesNotContain("nosuch-x1"));
        assertThat(failures).singleElement().satisfies(d -> {
            assertThat(d.path("system").asText()).isEqualTo("app");
            assertThat(d.path("reason").asText()).isEqualTo("signature-mismatch");
        });
        assertThat(perAccount).singleElement().satisfies(d -> {
            assertThat(d.path("tenant").asText()).isEqualTo("acme");
            assertThat(d.path("WebhookEventsPerAccount").asDouble()).isEqualTo(1.0);
            assertThat(d.path("_aws").path("CloudWatchMetrics").path(0).path("Dimensions").toString())
                    .isEqualTo("[[\"FunctionName\"],[\"FunctionName\",\"system\",\"tenant\"]]");
        });
    }

    @Test
    void aBadSignatureIs401WithAReasonAndEnqueuesNothing() {
        assertRefused("bad-signature.json", 401, "invalid_signature", "signature mismatch");
    }

    @Test
    void staleAndFutureTimestampsAre401() {
        assertRefused("stale-timestamp.json", 401, "invalid_signature", "stale timestamp");
        assertRefused("future-timestamp.json", 401, "invalid_signature", "future timestamp");
    }

    @Test
    void aMissingSignatureIs401() {
        assertRefused("missing-signature.json", 401, "invalid_signature", "missing header");
    }

    @Test
    void unknownTenantsAndSystemsAre404() {
        assertRefused("unknown-tenant.json", 404, "unknown_tenant", "globex");
        assertRefused("unknown-system.json", 404, "unknown_system", "zendesk");
    }

    @Test
    void aWrongMethodIs405() {
        assertRefused("wrong-method.json", 405, "method_not_allowed", "POST");
    }

    @Test
    void aBodyThatIsNotTheBase64ItClaimsIs400() {
        assertRefused("malformed-base64.json", 400, "malformed_body", "base64");
    }

    /** valid.json with another webhook id and body, signed now (at the fixtures' time) with the tenant's secret. */
    static String signed(String webhookId, String body) {
        try {
            ObjectMapper json = new ObjectMapper();
            ObjectNode event = (ObjectNode) json.readTree(Fixtures.event("ingress", "valid.json"));
            long timestamp = Fixtures.SIGNED_AT.getEpochSecond();
            ObjectNode headers = (ObjectNode) event.get("headers");
            headers.put("webhook-id", webhookId);
            headers.put("webhook-timestamp", Long.toString(timestamp));
            headers.put("webhook-signature", StandardWebhooksScheme.sign(Fixtures.CURRENT_SECRET, webhookId, timestamp,
                    body.getBytes(StandardCharsets.UTF_8)));
            headers.remove("content-length");
            event.put("body", body);
            return event.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
