package io.loopfree.sync.domain.envelope;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.loopfree.sync.domain.text.Untrusted;


/**
 * The envelope's wire form, an SQS message body that reads well in the console and in the DLQ:
 * <pre>
 * {"v":1,"system":"app","tenant":"acme","eventId":"msg_2Kp","receivedAt":"2026-11-20T10:00:05Z",
 *  "headers":{"webhook-id":"msg_2Kp",...},"bodyEncoding":"utf8","body":"{\"type\":\"contact.updated\",...}"}
 * </pre>
 * {@code bodyEncoding} is {@code utf8}, {@code base64} (bytes that are not UTF-8) or {@code gzip-base64} (a body
 * too big for one message as it is; {@link Envelope#rawBody()} restores the bytes).
 * Mapped through the JSON tree, not reflection, so it needs no native-image registration. Pure (no queue, no
 * AWS): the ingress's queue adapter encodes with it, the processor function decodes with it.
 */
public final class EnvelopeCodec {

    static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private EnvelopeCodec() {
    }

    public static String encode(Envelope envelope) {
        ObjectNode root = JSON.createObjectNode();
        root.put("v", VERSION);
        root.put("system", envelope.system());
        root.put("tenant", envelope.tenant());
        root.put("eventId", envelope.eventId());
        root.put("receivedAt", envelope.receivedAt().toString());
        ObjectNode headers = root.putObject("headers");
        envelope.headers().forEach(headers::put);
        root.put("bodyEncoding", envelope.bodyEncoding().wireName());
        root.put("body", envelope.body());
        return root.toString();
    }

    /** @throws MalformedEnvelopeException with a cause fit for the log when the text is not an envelope */
    public static Envelope decode(String text) {
        if (text == null || text.isBlank()) {
            throw new MalformedEnvelopeException("empty message body");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new MalformedEnvelopeException("message body is not JSON: " + Untrusted.text(e.getOriginalMessage()));
        }
        if (!root.isObject()) {
            throw new MalformedEnvelopeException("message body is not a JSON object");
        }
        int version = root.path("v").asInt(-1);
        if (version != VERSION) {
            throw new MalformedEnvelopeException("unsupported envelope version " + Untrusted.text(root.path("v").toString(), 20));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        root.path("headers").fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
        try {
            return new Envelope(
                    text(root, "system"),
                    text(root, "tenant"),
                    text(root, "eventId"),
                    Instant.parse(text(root, "receivedAt")),
                    headers,
                    text(root, "body"),
                    Envelope.BodyEncoding.fromWireName(root.path("bodyEncoding").asText("utf8")));
        } catch (DateTimeParseException e) {
            throw new MalformedEnvelopeException("receivedAt is not an ISO-8601 instant");
        } catch (IllegalArgumentException e) {
            throw new MalformedEnvelopeException(Untrusted.text(e.getMessage()));
        }
    }

    private static String text(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || !node.isTextual()) {
            throw new MalformedEnvelopeException("missing or non-text field '" + field + "'");
        }
        return node.asText();
    }

    /** The message can never be processed as it is; it goes to the DLQ after the configured receives. */
    public static final class MalformedEnvelopeException extends RuntimeException {
        public MalformedEnvelopeException(String message) {
            super(message);
        }
    }
}
