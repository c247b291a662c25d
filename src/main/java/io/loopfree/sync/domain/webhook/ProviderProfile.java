package io.loopfree.sync.domain.webhook;

import java.time.Duration;
import java.util.List;

/**
 * What the ingress needs to know about one system's webhooks: which signature scheme and tolerance, and which
 * request headers travel into the envelope. Loaded from data ({@code profiles/<system>.json}), not code.
 */
public record ProviderProfile(String system, String scheme, Duration tolerance, List<String> forwardedHeaders) {

    public ProviderProfile {
        forwardedHeaders = List.copyOf(forwardedHeaders);
    }
}
