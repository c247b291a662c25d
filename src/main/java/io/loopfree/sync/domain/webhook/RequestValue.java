package io.loopfree.sync.domain.webhook;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A place in a delivery that a profile names: a header, a query parameter, a form field of the body, a JSON Pointer
 * into the JSON body (or into one element of a split batch), or {@code sha256}: the hex SHA-256 of the content
 * itself, a stable id for providers whose deliveries carry none (the same bytes on every retry).
 */
public record RequestValue(Source source, String name) {

    public enum Source {
        header,
        query,
        form,
        json,
        sha256;

        static Source parse(String text) {
            try {
                return valueOf(text.toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown value source '" + text + "' (header, query, form, json, sha256)");
            }
        }
    }

    public RequestValue {
        if (source == null) {
            throw new IllegalArgumentException("source is required");
        }
        name = name == null ? "" : name;
        if (source == Source.json) {
            Json.compile(name);
        } else if (source != Source.sha256 && name.isBlank()) {
            throw new IllegalArgumentException(source + " needs a name");
        }
    }

    public static RequestValue of(String source, String name) {
        return new RequestValue(Source.parse(source), name);
    }

    /**
     * @param content the bytes the value belongs to: the whole body, or one element of a split batch
     * @param json those bytes as JSON, parsed at most once by the caller
     */
    public Optional<String> read(WebhookRequest request, byte[] content, Supplier<Optional<JsonNode>> json) {
        Optional<String> value = switch (source) {
            case header -> request.header(name);
            case query -> request.queryParameter(name);
            case form -> request.formParameters().stream().filter(p -> p.name().equals(name))
                    .map(WebhookRequest.Parameter::value).findFirst();
            case json -> json.get().flatMap(root -> Json.text(root, name));
            case sha256 -> Optional.of(Hmacs.sha256Hex(content));
        };
        return value.map(String::trim).filter(v -> !v.isEmpty());
    }

    @Override
    public String toString() {
        return source == Source.sha256 ? "sha256" : source + " " + name;
    }
}
