package io.loopfree.sync.domain.webhook;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Answers a matched challenge: pure, given the request and the secrets it may need. */
public final class ChallengeAnswer {

    /** Longer than any provider's token; bounds what we echo. */
    static final int MAX_VALUE_LENGTH = 2048;

    public sealed interface Outcome {
    }

    public record Answered(String contentType, String body, Map<String, String> headers) implements Outcome {
    }

    public record Refused(int status, String error, String reason) implements Outcome {
    }

    private ChallengeAnswer() {
    }

    /**
     * @param signingSecret the tenant's signing secret that authenticated the request (or the newest), for
     *        {@code {hmacSha256Hex}}
     * @param verifyTokens the tenant's accepted verify tokens, for {@link ChallengeSpec.Authentication#verifyToken}
     */
    public static Outcome answer(ChallengeSpec spec, WebhookRequest request, Supplier<Optional<JsonNode>> json,
            Optional<String> signingSecret, List<String> verifyTokens) {
        if (spec.authenticate() == ChallengeSpec.Authentication.verifyToken) {
            Optional<String> presented = spec.verifyToken().flatMap(v -> v.read(request, request.body(), json));
            if (presented.isEmpty()) {
                return new Refused(401, "invalid_verify_token", "missing verify token: " + spec.verifyToken().get());
            }
            boolean matches = false;
            for (String expected : verifyTokens) {
                matches |= Hmacs.equal(presented.get(), expected); // no early exit: timing says nothing
            }
            if (!matches) {
                return new Refused(401, "invalid_verify_token", "verify token mismatch");
            }
        }
        Optional<String> value = spec.value().read(request, request.body(), json);
        if (value.isEmpty()) {
            return new Refused(400, "malformed_challenge", spec.name() + ": no value at " + spec.value());
        }
        String token = value.get();
        if (token.length() > MAX_VALUE_LENGTH || token.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return new Refused(400, "malformed_challenge", spec.name() + ": the value is too long or has control characters");
        }
        ChallengeSpec.Response response = spec.response();
        if (response.kind() == ChallengeSpec.Response.Kind.text && token.chars().anyMatch(c -> "<>&\"'".indexOf(c) >= 0)) {
            // Graph: "escaping any HTML or JavaScript is a good practice"; no provider sends markup, so refuse it
            return new Refused(400, "malformed_challenge", spec.name() + ": the value contains markup characters");
        }
        boolean needsSecret = java.util.stream.Stream.concat(response.fields().values().stream(),
                response.headers().values().stream()).anyMatch(t -> t.contains("{hmacSha256Hex}"));
        String hmacHex = "";
        if (needsSecret) {
            if (signingSecret.isEmpty()) {
                return new Refused(404, "unknown_tenant", "no signing secret to answer " + spec.name());
            }
            hmacHex = Hmacs.Encoding.hex.encode(Hmacs.hmacSha256(Hmacs.utf8(signingSecret.get()), Hmacs.utf8(token)));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (Map.Entry<String, String> header : response.headers().entrySet()) {
            headers.put(header.getKey(), fill(header.getValue(), token, hmacHex));
        }
        if (response.kind() == ChallengeSpec.Response.Kind.text) {
            return new Answered("text/plain", token, headers);
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        for (Map.Entry<String, String> field : response.fields().entrySet()) {
            body.put(field.getKey(), fill(field.getValue(), token, hmacHex));
        }
        return new Answered("application/json", body.toString(), headers);
    }

    private static String fill(String template, String value, String hmacHex) {
        return template.replace("{value}", value).replace("{hmacSha256Hex}", hmacHex);
    }
}
