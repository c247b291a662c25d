package io.loopfree.sync.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.domain.envelope.EnvelopeCodec;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.support.Fixtures;
import io.loopfree.sync.support.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The ingress as a deployment configures it ({@link Profiles.IngressDeployment}): profiles from a directory before
 * the packaged ones, a public base URL for a custom domain, and a small queue message size.
 */
@QuarkusTest
@TestProfile(Profiles.IngressDeployment.class)
class IngressDeploymentTest extends IngressTestSupport {


    @Test
    void aProviderKnownOnlyToTheDeploymentIsVerifiedFromItsProfile() {
        Envelope envelope = single("deployment-erp-valid.json");
        assertThat(envelope.system()).isEqualTo("erp");
        assertThat(envelope.eventId()).isEqualTo("dlv-0042");
        assertThat(envelope.headers()).containsEntry("x-erp-delivery", "dlv-0042").hasSize(2);
    }

    @Test
    void aDeploymentProfileOverridesTheShippedOne() {
        assertThat(single("deployment-github-sha1.json").eventId()).isEqualTo("2c4e6a8b-77e4-11f0-9a4f-5e0c1b2d3e4f");
    }

    @Test
    void theSignedUrlUsesThePublicBaseUrlOfTheCustomDomain() {
        JsonPath response = invoke(Fixtures.event("ingress", "hubspot-custom-domain.json"));
        assertThat(response.getInt("statusCode")).as(response.getString("body")).isEqualTo(202);
        assertThat(drain(queueUrl, Duration.ofSeconds(1))).hasSize(12);
    }

    @Test
    void aBodyTooBigForOneMessageTravelsGzippedAndComesBackByteForByte() {
        byte[] sent = Fixtures.rawBody("ingress", "deployment-app-large-compressible.json");
        assertThat(sent.length).isGreaterThan(Profiles.IngressDeployment.MAX_MESSAGE_BYTES);
        Message message = singleMessage("deployment-app-large-compressible.json");
        assertThat(message.body().length()).isLessThanOrEqualTo(Profiles.IngressDeployment.MAX_MESSAGE_BYTES);
        Envelope envelope = EnvelopeCodec.decode(message.body());
        assertThat(envelope.bodyEncoding()).isEqualTo(Envelope.BodyEncoding.gzip_base64);
        assertThat(message.body()).contains("\"bodyEncoding\":\"gzip-base64\"");
        assertThat(envelope.rawBody()).isEqualTo(sent);
        assertThat(envelope.eventId()).isEqualTo("msg_large01");
    }

    @Test
    void aBodyTooBigEvenCompressedIs413AndNothingIsEnqueued() {
        JsonPath response = invoke(Fixtures.event("ingress", "deployment-app-large-incompressible.json"));
        assertThat(response.getInt("statusCode")).isEqualTo(413);
        JsonPath body = JsonPath.from(response.getString("body"));
        assertThat(body.getString("error")).isEqualTo("payload_too_large");
        assertThat(body.getString("reason")).contains("gzip-compressed").contains("exceeds the 16384-byte queue message limit");
        assertThat(drain(queueUrl, Duration.ZERO)).isEmpty();
    }

    private Envelope single(String fixture) {
        return EnvelopeCodec.decode(singleMessage(fixture).body());
    }

    private Message singleMessage(String fixture) {
        JsonPath response = invoke(Fixtures.event("ingress", fixture));
        assertThat(response.getInt("statusCode")).as(fixture + ": " + response.getString("body")).isEqualTo(202);
        List<Message> messages = drain(queueUrl, Duration.ofSeconds(1));
        assertThat(messages).hasSize(1);
        return messages.get(0);
    }
}
