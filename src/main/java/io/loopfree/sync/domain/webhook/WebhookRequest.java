package io.loopfree.sync.domain.webhook;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One inbound webhook delivery as the provider sent it: method, path, headers (looked up case-insensitively)
 * and the raw body bytes, exactly as signed.
 */
public record WebhookRequest(String method, String path, Map<String, String> headers, byte[] body) {

    public WebhookRequest {
        TreeMap<String, String> normalized = new TreeMap<>();
        headers.forEach((name, value) -> normalized.put(name.toLowerCase(Locale.ROOT), value));
        headers = Map.copyOf(normalized);
        body = body.clone();
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    @Override
    public byte[] body() {
        return body.clone();
    }
}
