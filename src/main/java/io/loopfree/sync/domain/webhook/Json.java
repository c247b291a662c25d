package io.loopfree.sync.domain.webhook;

import java.io.IOException;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.loopfree.sync.domain.text.Untrusted;

/** Reading JSON bodies and JSON Pointer expressions (RFC 6901), the way profiles name places in a payload. */
public final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /**
     * A body read as JSON: the tree, or why it is not JSON (empty, malformed, nested deeper than the parser's
     * limit...), the parser's words escaped and bounded: they may quote the body.
     */
    public record Parsed(Optional<JsonNode> tree, Optional<String> problem) {
    }

    /** The body as a JSON tree, or the reason it is not one; the same parser and limits the processor uses. */
    public static Parsed read(byte[] body) {
        if (body.length == 0) {
            return new Parsed(Optional.empty(), Optional.of("the body is empty"));
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) {
                return new Parsed(Optional.empty(), Optional.of("the body holds no JSON value"));
            }
            return new Parsed(Optional.of(node), Optional.empty());
        } catch (JsonProcessingException e) {
            return new Parsed(Optional.empty(), Optional.of("the body is not JSON: " + Untrusted.text(e.getOriginalMessage())));
        } catch (IOException e) {
            return new Parsed(Optional.empty(), Optional.of("the body is not JSON: " + Untrusted.text(e.getMessage())));
        }
    }

    /** The body as a JSON tree, or empty when it is not JSON. */
    public static Optional<JsonNode> parse(byte[] body) {
        return read(body).tree();
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
