package io.loopfree.sync.domain.envelope;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A verified webhook delivery as the ingress enqueues it: who sent it, for which tenant, when we received it,
 * the headers the profile selects, and the raw body byte for byte. {@code bodyEncoding} says how {@code body}
 * carries those bytes: the UTF-8 text itself, base64 of bytes that are not valid UTF-8, or base64 of their gzip
 * (for a body too big for one queue message as it is). {@link #rawBody()} gives the bytes back in every case.
 */
public record Envelope(
        String system,
        String tenant,
        String eventId,
        Instant receivedAt,
        Map<String, String> headers,
        String body,
        BodyEncoding bodyEncoding) {

    public enum BodyEncoding {
        utf8,
        base64,
        gzip_base64;

        /** The name on the wire: {@code utf8}, {@code base64}, {@code gzip-base64}. */
        public String wireName() {
            return name().replace('_', '-');
        }

        public static BodyEncoding fromWireName(String wireName) {
            for (BodyEncoding encoding : values()) {
                if (encoding.wireName().equals(wireName)) {
                    return encoding;
                }
            }
            throw new IllegalArgumentException("unknown bodyEncoding '" + wireName + "'");
        }
    }

    public Envelope {
        requireText(system, "system");
        requireText(tenant, "tenant");
        requireText(eventId, "eventId");
        if (receivedAt == null) {
            throw new IllegalArgumentException("receivedAt is required");
        }
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        if (body == null) {
            throw new IllegalArgumentException("body is required");
        }
        bodyEncoding = bodyEncoding == null ? BodyEncoding.utf8 : bodyEncoding;
    }

    /** The envelope of raw bytes: as text when they are valid UTF-8 (readable in the console), else base64. */
    public static Envelope of(String system, String tenant, String eventId, Instant receivedAt,
            Map<String, String> headers, byte[] rawBody) {
        Optional<String> text = strictUtf8(rawBody);
        return text.isPresent()
                ? new Envelope(system, tenant, eventId, receivedAt, headers, text.get(), BodyEncoding.utf8)
                : new Envelope(system, tenant, eventId, receivedAt, headers,
                        Base64.getEncoder().encodeToString(rawBody), BodyEncoding.base64);
    }

    /** The body exactly as the provider sent it, whatever the encoding in the envelope. */
    public byte[] rawBody() {
        return switch (bodyEncoding) {
            case utf8 -> body.getBytes(StandardCharsets.UTF_8);
            case base64 -> Base64.getDecoder().decode(body);
            case gzip_base64 -> gunzip(Base64.getDecoder().decode(body));
        };
    }

    /** The same envelope with its body as base64 of its gzip; the bytes it stands for do not change. */
    public Envelope gzipped() {
        if (bodyEncoding == BodyEncoding.gzip_base64) {
            return this;
        }
        return new Envelope(system, tenant, eventId, receivedAt, headers,
                Base64.getEncoder().encodeToString(gzip(rawBody())), BodyEncoding.gzip_base64);
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, bytes.length / 4));
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] gunzip(byte[] bytes) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalArgumentException("body is not valid gzip: " + e.getMessage(), e);
        }
    }

    /** Text only when the bytes round-trip exactly; anything else travels as base64, byte for byte. */
    private static Optional<String> strictUtf8(byte[] body) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
    }
}
