package io.loopfree.sync.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.domain.envelope.EnvelopeCodec;
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

    @Test
    void aBodyTooBigForOneMessageIsGzippedAndRestoredByteForByte() {
        String body = "{\"contacts\":[" + "{\"email\":\"ada@example.com\",\"plan\":\"pro\"},".repeat(2000) + "{}]}";
        Envelope envelope = Envelope.of("app", "acme", "msg_big", Instant.parse("2026-11-20T10:00:00Z"), Map.of(),
                body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String wire = io.loopfree.sync.adapters.sqs.SqsMessageBodies.encodeWithin(envelope, 8192, 100);
        assertThat(wire.length()).isLessThan(8192 - 100);
        assertThat(wire).contains("\"bodyEncoding\":\"gzip-base64\"");
        Envelope decoded = EnvelopeCodec.decode(wire);
        assertThat(decoded.bodyEncoding()).isEqualTo(Envelope.BodyEncoding.gzip_base64);
        assertThat(decoded.rawBody()).isEqualTo(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        // it fits 1 MiB as it is, but gzip saves SQS 64 KiB billing chunks: compressed anyway
        assertThat(io.loopfree.sync.adapters.sqs.SqsMessageBodies.encodeWithin(envelope, 1_048_576, 100)).contains("\"bodyEncoding\":\"gzip-base64\"");
        Envelope small = Envelope.of("app", "acme", "msg_small", Instant.parse("2026-11-20T10:00:00Z"), Map.of(),
                body.substring(0, 30_000).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(io.loopfree.sync.adapters.sqs.SqsMessageBodies.encodeWithin(small, 1_048_576, 100))
                .as("one chunk already: kept readable").contains("\"bodyEncoding\":\"utf8\"");
    }

    @Test
    void aBodyTooBigEvenCompressedIsRefusedNotTruncated() {
        byte[] noise = new byte[20_000];
        new java.util.Random(7).nextBytes(noise);
        Envelope envelope = Envelope.of("app", "acme", "msg_noise", Instant.parse("2026-11-20T10:00:00Z"), Map.of(), noise);
        assertThat(envelope.bodyEncoding()).isEqualTo(Envelope.BodyEncoding.base64);
        assertThatThrownBy(() -> io.loopfree.sync.adapters.sqs.SqsMessageBodies.encodeWithin(envelope, 8192, 0))
                .isInstanceOf(io.loopfree.sync.ports.EnvelopeQueue.EnvelopeTooLargeException.class)
                .hasMessageContaining("exceeds the 8192-byte queue message limit");
    }

    @Test
    void unknownBodyEncodingsArePoison() {
        assertThatThrownBy(() -> EnvelopeCodec.decode(
                "{\"v\":1,\"system\":\"app\",\"tenant\":\"acme\",\"eventId\":\"e\",\"receivedAt\":\"2026-11-20T10:00:00Z\",\"bodyEncoding\":\"zstd\",\"body\":\"\"}"))
                .isInstanceOf(EnvelopeCodec.MalformedEnvelopeException.class).hasMessageContaining("bodyEncoding");
    }
}
