package io.loopfree.sync.domain.webhook;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What the ingress needs to know about one system's webhooks, loaded from data ({@code profiles/<system>.json},
 * see docs/ingress.md), never code: the signature scheme and its parameters, the challenges to answer, how to split
 * a batched delivery, where each event's id comes from, and which request headers travel into the envelope.
 *
 * @param sources where the rules come from (the provider's documentation), kept with the data they justify
 * @param split JSON Pointer of the array whose elements are the events ({@code ""}: the body is the array); empty
 *        when one delivery is one event
 * @param eventId where the event id comes from, tried in order, read from each element of a split batch
 * @param publicBaseUrl the public base URL the provider calls, when it cannot be rebuilt from the request (see
 *        {@link PublicUrl}); overrides the deployment's setting
 * @param body what a delivery's body must be: {@code json} (a body the processor could never parse is refused
 *        with 400, not enqueued) or {@code any} (forms, binary...)
 */
public record ProviderProfile(
        String system,
        String description,
        List<String> sources,
        SignatureSpec signature,
        List<ChallengeSpec> challenges,
        Optional<String> split,
        List<RequestValue> eventId,
        List<String> forwardedHeaders,
        Optional<String> publicBaseUrl,
        BodyFormat body) {

    /** What a delivery's body must be. */
    public enum BodyFormat {
        /** One JSON value, within the parser's limits. */
        json,
        /** Anything: forms, binary; the signature covers the bytes. */
        any
    }

    public ProviderProfile {
        if (system == null || system.isBlank()) {
            throw new IllegalArgumentException("system is required");
        }
        if (signature == null) {
            throw new IllegalArgumentException("profile " + system + ": signature is required");
        }
        description = description == null ? "" : description;
        sources = sources == null ? List.of() : List.copyOf(sources);
        challenges = challenges == null ? List.of() : List.copyOf(challenges);
        split = split == null ? Optional.empty() : split;
        split.ifPresent(Json::compile);
        eventId = eventId == null ? List.of() : List.copyOf(eventId);
        if (eventId.isEmpty()) {
            throw new IllegalArgumentException("profile " + system + ": eventId needs at least one source");
        }
        forwardedHeaders = forwardedHeaders == null ? List.of()
                : forwardedHeaders.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
        publicBaseUrl = publicBaseUrl == null ? Optional.empty() : publicBaseUrl.filter(u -> !u.isBlank());
        body = body == null ? BodyFormat.any : body;
    }

    /** POST always (deliveries); other methods only where a challenge arrives with them (Meta's GET). */
    public Set<String> allowedMethods() {
        Set<String> methods = new LinkedHashSet<>();
        methods.add("POST");
        challenges.forEach(c -> methods.addAll(c.methods()));
        return methods;
    }
}
