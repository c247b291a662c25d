package io.loopfree.sync.domain.webhook;

import java.io.IOException;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reading JSON bodies and JSON Pointer expressions (RFC 6901), the way profiles name places in a payload. */
public final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /** The body as a JSON tree, or empty when it is not JSON. */
    public static Optional<JsonNode> parse(byte[] body) {
        if (body.length == 0) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(MAPPER.readTree(body)).filter(node -> !node.isMissingNode());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** A scalar at the pointer, as text (numbers as written); empty when absent, null, blank or not a scalar. */
    public static Optional<String> text(JsonNode root, String pointer) {
        JsonNode node = root.at(compile(pointer));
        if (node == null || node.isMissingNode() || node.isNull() || node.isContainerNode()) {
            return Optional.empty();
        }
        String text = node.asText();
        return text.isBlank() ? Optional.empty() : Optional.of(text);
    }

    /** @throws IllegalArgumentException naming the expression when it is not a JSON Pointer */
    public static JsonPointer compile(String pointer) {
        try {
            return JsonPointer.compile(pointer);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + pointer + "' is not a JSON Pointer (e.g. /id, /value, or '' for the root)");
        }
    }
}
