package io.loopfree.sync.local.sandbox;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One request to the sandbox, from HTTP or from the Java API (both go through {@link SandboxApi#handle}).
 *
 * @param path the raw path, e.g. {@code /api/contacts/rich_1}
 * @param rawQuery the raw query string without {@code ?}, empty when none
 * @param headers header names are matched case-insensitively
 */
public record SandboxRequest(String method, String path, String rawQuery, Map<String, String> headers, byte[] body) {

    public SandboxRequest {
        method = method == null ? "GET" : method.toUpperCase(Locale.ROOT);
        path = path == null ? "/" : path;
        rawQuery = rawQuery == null ? "" : rawQuery;
        TreeMap<String, String> normalized = new TreeMap<>();
        if (headers != null) {
            headers.forEach((name, value) -> {
                if (name != null && value != null) {
                    normalized.put(name.toLowerCase(Locale.ROOT), value);
                }
            });
        }
        headers = Map.copyOf(normalized);
        body = body == null ? new byte[0] : body.clone();
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    @Override
    public byte[] body() {
        return body.clone();
    }
}
