package io.loopfree.sync.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.adapters.sqs.EnvelopeCodec;
import io.loopfree.sync.domain.envelope.Envelope;

class EnvelopeCodecTest {

    @Test
    void roundTripsEveryField() {
        Envelope envelope = new Envelope("app", "acme", "msg_1", Instant.parse("2026-11-20T10:00:00.123Z"),
                Map.of("webhook-id", "msg_1"), "{\"a\":\"ü\\n\"}", Envelope.BodyEncoding.utf8);
        assertThat(EnvelopeCodec.decode(EnvelopeCodec.encode(envelope))).isEqualTo(envelope);
    }

    @Test
    void namesWhatIsWrongWithAPoisonMessage() {
        assertThatThrownBy(() -> EnvelopeCodec.decode("not json"))
                .isInstanceOf(EnvelopeCodec.MalformedEnvelopeException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> EnvelopeCodec.decode("[]")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> EnvelopeCodec.decode("{\"v\":2}")).hasMessageContaining("unsupported envelope version");
        assertThatThrownBy(() -> EnvelopeCodec.decode(
                "{\"v\":1,\"system\":\"app\",\"tenant\":\"acme\",\"receivedAt\":\"2026-11-20T10:00:00Z\",\"body\":\"\"}"))
                .hasMessageContaining("'eventId'");
        assertThatThrownBy(() -> EnvelopeCodec.decode(
                "{\"v\":1,\"system\":\"app\",\"tenant\":\"acme\",\"eventId\":\"e\",\"receivedAt\":\"noon\",\"body\":\"\"}"))
                .hasMessageContaining("receivedAt");
    }
}
