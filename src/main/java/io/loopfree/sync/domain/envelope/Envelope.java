package io.loopfree.sync.domain.envelope;

import java.time.Instant;
import java.util.Map;

/**
 * A verified webhook delivery as the ingress enqueues it: who sent it, for which tenant, when we received it,
 * the headers the profile selects, and the raw body byte for byte ({@code bodyEncoding} says whether
 * {@code body} is the UTF-8 text itself or base64 of bytes that are not valid UTF-8).
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
        base64
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

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
    }
}
