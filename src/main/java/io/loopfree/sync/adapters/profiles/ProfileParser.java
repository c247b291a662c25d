package io.loopfree.sync.adapters.profiles;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import io.loopfree.sync.domain.webhook.ChallengeSpec;
import io.loopfree.sync.domain.webhook.Hmacs;
import io.loopfree.sync.domain.webhook.ProviderProfile;
import io.loopfree.sync.domain.webhook.RequestValue;
import io.loopfree.sync.domain.webhook.SignatureSchemes;
import io.loopfree.sync.domain.webhook.SignatureSpec;

/**
 * Maps a profile document to the domain's {@link ProviderProfile}, strictly: an unknown field is an error (a typo
 * must not silently weaken verification). The format is documented field by field in docs/ingress.md.
 */
public final class ProfileParser {

    private static final Set<String> PROFILE_FIELDS = Set.of("system", "description", "sources", "signature",
            "challenges", "split", "eventId", "forwardedHeaders", "publicBaseUrl", "body", "notes");
    private static final Set<String> SIGNATURE_FIELDS = Set.of("scheme", "toleranceSeconds", "header", "algorithm",
            "encoding", "prefix", "separator", "timestampHeader", "timestampUnit", "signedContent", "urlDecodes",
            "secretFormat", "items", "itemField", "source", "notes");
    private static final Set<String> CHALLENGE_FIELDS = Set.of("name", "methods", "when", "value", "authenticate",
            "verifyToken", "verifyTokenSecret", "response", "source", "notes");
    private static final Set<String> RESPONSE_FIELDS = Set.of("type", "fields", "headers");
    private static final Set<String> VALUE_SOURCES = Set.of("header", "query", "form", "json", "sha256");

    private ProfileParser() {
    }

    /** @throws IllegalArgumentException naming the field that is wrong */
    public static ProviderProfile parse(String system, JsonNode node) {
        requireObject(node, "profile");
        checkFields(node, PROFILE_FIELDS, "profile");
        String declared = node.path("system").asText(system);
        if (!declared.equals(system)) {
            throw new IllegalArgumentException("system '" + declared + "' does not match the file name '" + system + "'");
        }
        ProviderProfile profile = new ProviderProfile(
                system,
                node.path("description").asText(""),
                strings(node.path("sources"), "sources"),
                signature(node.path("signature")),
                challenges(node.path("challenges")),
                optionalText(node, "split"),
                values(node.path("eventId"), "eventId"),
                strings(node.path("forwardedHeaders"), "forwardedHeaders"),
                optionalText(node, "publicBaseUrl"),
                optionalText(node, "body").map(b -> enumValue(ProviderProfile.BodyFormat.class, b, "body")).orElse(null));
        SignatureSchemes.forProfile(profile, Optional.empty()); // its parameters must make a scheme, now, not per request
        return profile;
    }

    private static SignatureSpec signature(JsonNode node) {
        requireObject(node, "signature");
        checkFields(node, SIGNATURE_FIELDS, "signature");
        SignatureSpec spec = SignatureSpec.of(node.path("scheme").asText(""));
        if (node.has("toleranceSeconds")) {
            if (!node.get("toleranceSeconds").canConvertToLong() || node.get("toleranceSeconds").asLong() < 0) {
                throw new IllegalArgumentException("signature.toleranceSeconds must be a non-negative number");
            }
            spec = spec.withTolerance(Duration.ofSeconds(node.get("toleranceSeconds").asLong()));
        }
        spec = spec.withHeader(optionalText(node, "header").orElse(null));
        spec = spec.withMac(
                optionalText(node, "algorithm").map(Hmacs.Algorithm::parse).orElse(null),
                optionalText(node, "encoding").map(e -> enumValue(Hmacs.Encoding.class, e, "signature.encoding")).orElse(null),
                node.path("prefix").asText(""));
        spec = spec.withSeparator(optionalText(node, "separator").orElse(null));
        spec = spec.withTimestamp(optionalText(node, "timestampHeader").orElse(null),
                optionalText(node, "timestampUnit")
                        .map(u -> enumValue(SignatureSpec.TimestampUnit.class, u, "signature.timestampUnit")).orElse(null));
        spec = spec.withSignedContent(optionalText(node, "signedContent").orElse(null),
                strings(node.path("urlDecodes"), "signature.urlDecodes"));
        spec = spec.withSecretFormat(optionalText(node, "secretFormat")
                .map(f -> enumValue(SignatureSpec.SecretFormat.class, f, "signature.secretFormat")).orElse(null));
        return spec.withItems(optionalText(node, "items").orElse(null), optionalText(node, "itemField").orElse(null));
    }

    private static List<ChallengeSpec> challenges(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException("challenges must be an array");
        }
        List<ChallengeSpec> result = new ArrayList<>();
        for (JsonNode challenge : node) {
            String name = challenge.path("name").asText("challenge");
            String where = "challenge '" + name + "'";
            requireObject(challenge, where);
            checkFields(challenge, CHALLENGE_FIELDS, where);
            JsonNode when = challenge.path("when");
            JsonNode response = challenge.path("response");
            requireObject(response, where + ".response");
            checkFields(response, RESPONSE_FIELDS, where + ".response");
            String authenticate = challenge.path("authenticate").asText("");
            if (authenticate.isEmpty()) {
                throw new IllegalArgumentException(where + ": authenticate is required (signature, verify-token, none)");
            }
            result.add(new ChallengeSpec(
                    name,
                    Set.copyOf(strings(challenge.path("methods"), where + ".methods")),
                    value(when, where + ".when", Set.of("equals")),
                    optionalText(when, "equals"),
                    value(challenge.path("value"), where + ".value", Set.of()),
                    ChallengeSpec.Authentication.parse(authenticate),
                    challenge.has("verifyToken")
                            ? Optional.of(value(challenge.get("verifyToken"), where + ".verifyToken", Set.of()))
                            : Optional.empty(),
                    optionalText(challenge, "verifyTokenSecret").orElse(null),
                    new ChallengeSpec.Response(
                            enumValue(ChallengeSpec.Response.Kind.class, response.path("type").asText("text"),
                                    where + ".response.type"),
                            textMap(response.path("fields"), where + ".response.fields"),
                            textMap(response.path("headers"), where + ".response.headers"))));
        }
        return result;
    }

    private static List<RequestValue> values(JsonNode node, String where) {
        if (!node.isArray()) {
            throw new IllegalArgumentException(where + " must be an array of sources, e.g. [{\"header\": \"X-Id\"}]");
        }
        List<RequestValue> result = new ArrayList<>();
        node.forEach(item -> result.add(value(item, where, Set.of())));
        return result;
    }

    /** {@code {"header": "X-Id"}}, {@code {"json": "/id"}}, {@code {"sha256": "content"}}...: exactly one source. */
    private static RequestValue value(JsonNode node, String where, Set<String> extraFields) {
        requireObject(node, where);
        RequestValue found = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            if (extraFields.contains(field.getKey())) {
                continue;
            }
            if (!VALUE_SOURCES.contains(field.getKey())) {
                throw new IllegalArgumentException(where + ": unknown field '" + field.getKey() + "' (one of " + VALUE_SOURCES + ")");
            }
            if (found != null) {
                throw new IllegalArgumentException(where + ": name exactly one source");
            }
            found = RequestValue.of(field.getKey(), field.getValue().asText(""));
        }
        if (found == null) {
            throw new IllegalArgumentException(where + ": name a source (one of " + VALUE_SOURCES + ")");
        }
        return found;
    }

    private static Map<String, String> textMap(JsonNode node, String where) {
        Map<String, String> result = new LinkedHashMap<>();
        if (node.isMissingNode() || node.isNull()) {
            return result;
        }
        requireObject(node, where);
        node.fields().forEachRemaining(e -> result.put(e.getKey(), e.getValue().asText()));
        return result;
    }

    private static List<String> strings(JsonNode node, String where) {
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException(where + " must be an array of strings");
        }
        List<String> result = new ArrayList<>();
        node.forEach(item -> result.add(item.asText()));
        return result;
    }

    private static Optional<String> optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String text, String where) {
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(text)) {
                return constant;
            }
        }
        throw new IllegalArgumentException(where + ": unknown value '" + text + "'");
    }

    private static void requireObject(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(where + " must be a JSON object");
        }
    }

    private static void checkFields(JsonNode node, Set<String> known, String where) {
        node.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) {
                throw new IllegalArgumentException(where + ": unknown field '" + name + "'");
            }
        });
    }
}
