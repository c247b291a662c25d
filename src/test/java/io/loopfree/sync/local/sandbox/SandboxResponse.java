package io.loopfree.sync.local.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** One answer: status, headers and a JSON body (empty for 204). */
public record SandboxResponse(int status, Map<String, String> headers, byte[] body) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public SandboxResponse {
        headers = Map.copyOf(headers);
        body = body.clone();
    }

    static SandboxResponse json(int status, Object value) {
        try {
            return new SandboxResponse(status, Map.of("Content-Type", "application/json"), JSON.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("sandbox values always serialize", e);
        }
    }

    public static SandboxResponse error(int status, String message) {
        return json(status, Map.of("error", message));
    }

    static SandboxResponse noContent() {
        return new SandboxResponse(204, Map.of(), new byte[0]);
    }

    SandboxResponse withHeaders(Map<String, String> extra) {
        Map<String, String> merged = new LinkedHashMap<>(headers);
        merged.putAll(extra);
        return new SandboxResponse(status, merged, body);
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    /** The body parsed as JSON; a missing node for 204. */
    public JsonNode json() {
        try {
            return body.length == 0 ? JSON.missingNode() : JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the sandbox answers JSON", e);
        }
    }

    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
