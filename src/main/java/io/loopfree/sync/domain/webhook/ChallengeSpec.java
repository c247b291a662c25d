package io.loopfree.sync.domain.webhook;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A handshake a provider sends to check that an endpoint is ours before (or while) delivering events, answered
 * without enqueueing anything. Declared in the profile: when a request is the challenge, where its value is, how
 * the request is authenticated, and what the answer looks like.
 *
 * @param name for logs and docs, e.g. "Slack url_verification"
 * @param methods the HTTP methods it arrives with (a GET challenge is what allows GET for a profile)
 * @param when the value whose presence marks the challenge
 * @param equals the value {@code when} must have, if any (e.g. {@code url_verification})
 * @param value the token to echo or to hash
 * @param authenticate how the challenge itself is trusted
 * @param verifyToken where the verify token is, for {@link Authentication#verifyToken}
 * @param verifyTokenSecret the secret purpose holding the expected verify tokens (e.g. {@code verify-token})
 * @param response the answer
 */
public record ChallengeSpec(
        String name,
        Set<String> methods,
        RequestValue when,
        Optional<String> equals,
        RequestValue value,
        Authentication authenticate,
        Optional<RequestValue> verifyToken,
        String verifyTokenSecret,
        Response response) {

    public enum Authentication {
        /** The challenge carries the provider's usual signature (Slack, Zoom); verified before answering. */
        signature,
        /** A token we chose when subscribing must come back (Meta's hub.verify_token). */
        verifyToken,
        /** Nothing to check (Graph validationToken, Smartsheet): answering reveals nothing but the echo. */
        none;

        public static Authentication parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "signature" -> signature;
                case "verify-token", "verifytoken" -> verifyToken;
                case "none" -> none;
                default -> throw new IllegalArgumentException(
                        "unknown challenge authentication '" + text + "' (signature, verify-token, none)");
            };
        }
    }

    /**
     * The answer: 200 with a text body (the value itself) or a JSON object whose fields are templates, and
     * response headers (templates too). Templates know {@code {value}} and {@code {hmacSha256Hex}}: hex
     * HMAC-SHA256 of the value keyed with the tenant's signing secret (Zoom's encryptedToken).
     */
    public record Response(Kind kind, Map<String, String> fields, Map<String, String> headers) {

        public enum Kind {
            text,
            json
        }

        public Response {
            kind = kind == null ? Kind.text : kind;
            fields = fields == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
            headers = headers == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
            for (String template : java.util.stream.Stream.concat(fields.values().stream(), headers.values().stream())
                    .toList()) {
                if (!template.replace("{value}", "").replace("{hmacSha256Hex}", "").matches("[^{}]*")) {
                    throw new IllegalArgumentException(
                            "challenge response template '" + template + "': only {value} and {hmacSha256Hex}");
                }
            }
            if (kind == Kind.json && fields.isEmpty()) {
                throw new IllegalArgumentException("a json challenge response needs fields");
            }
        }
    }

    public ChallengeSpec {
        name = name == null || name.isBlank() ? "challenge" : name;
        methods = methods == null || methods.isEmpty() ? Set.of("POST")
                : methods.stream().map(m -> m.toUpperCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        equals = equals == null ? Optional.empty() : equals;
        verifyToken = verifyToken == null ? Optional.empty() : verifyToken;
        verifyTokenSecret = verifyTokenSecret == null || verifyTokenSecret.isBlank() ? "verify-token" : verifyTokenSecret;
        if (when == null || value == null || authenticate == null || response == null) {
            throw new IllegalArgumentException("challenge '" + name + "': when, value, authenticate and response are required");
        }
        if (authenticate == Authentication.verifyToken && verifyToken.isEmpty()) {
            throw new IllegalArgumentException("challenge '" + name + "': verify-token needs verifyToken");
        }
    }

    /** Whether this request is this challenge (method, and the marking value present with the expected value). */
    public boolean matches(WebhookRequest request, Supplier<Optional<JsonNode>> json) {
        if (!methods.contains(request.method().toUpperCase(Locale.ROOT))) {
            return false;
        }
        Optional<String> marker = when.read(request, request.body(), json);
        return marker.isPresent() && equals.map(expected -> expected.equals(marker.get())).orElse(true);
    }
}
