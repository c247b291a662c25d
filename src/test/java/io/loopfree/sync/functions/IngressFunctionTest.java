package io.loopfree.sync.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.adapters.sqs.EnvelopeCodec;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.support.Fixtures;
import io.loopfree.sync.support.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import software.amazon.awssdk.services.sqs.model.Message;

/** The ingress function over its recorded API Gateway events, enqueueing to a real SQS wire protocol. */
@QuarkusTest
@TestProfile(Profiles.Ingress.class)
class IngressFunctionTest extends IngressTestSupport {

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
        JsonPath response = invoke(Fixtures.event("ingress", "base64-body.json"));
        assertThat(response.getInt("statusCode")).isEqualTo(202);
        Envelope envelope = EnvelopeCodec.decode(drain(queueUrl, Duration.ofSeconds(1)).get(0).body());
        String sent = new String(Base64.getDecoder().decode(
                JsonPath.from(Fixtures.event("ingress", "base64-body.json")).getString("body")), StandardCharsets.UTF_8);
        assertThat(envelope.body()).isEqualTo(sent).startsWith("payload=%7B");
        assertThat(envelope.headers()).containsEntry("content-type", "application/x-www-form-urlencoded");
    }

    @Test
    void aBinaryBodyTravelsAsBase64() {
        assertThat(invoke(Fixtures.event("ingress", "binary-body.json")).getInt("statusCode")).isEqualTo(202);
        Envelope envelope = EnvelopeCodec.decode(drain(queueUrl, Duration.ofSeconds(1)).get(0).body());
        assertThat(envelope.bodyEncoding()).isEqualTo(Envelope.BodyEncoding.base64);
        assertThat(envelope.body()).isEqualTo(JsonPath.from(Fixtures.event("ingress", "binary-body.json")).getString("body"));
    }

    @Test
    void signaturesFromThePreviousSecretMultipleSignaturesAndHeaderCaseAreAccepted() {
        assertThat(invoke(Fixtures.event("ingress", "rotated-secret.json")).getInt("statusCode")).isEqualTo(202);
        assertThat(invoke(Fixtures.event("ingress", "multiple-signatures.json")).getInt("statusCode")).isEqualTo(202);
        assertThat(invoke(Fixtures.event("ingress", "mixed-case-headers.json")).getInt("statusCode")).isEqualTo(202);
        assertThat(drain(queueUrl, Duration.ofSeconds(1))).hasSize(3);
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

}
