package io.loopfree.sync.domain.webhook;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One inbound webhook delivery as the provider sent it: method, raw path and raw query string (still
 * percent-encoded, as signed), headers (looked up case-insensitively) and the raw body bytes, exactly as signed.
 */
public record WebhookRequest(String method, String path, String rawQueryString, Map<String, String> headers,
        byte[] body) {

    public WebhookRequest {
        method = method == null ? "" : method;
        path = path == null ? "" : path;
        rawQueryString = rawQueryString == null ? "" : rawQueryString;
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

    public WebhookRequest(String method, String path, Map<String, String> headers, byte[] body) {
        this(method, path, "", headers, body);
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    /** The first value of a query parameter, percent-decoded. */
    public Optional<String> queryParameter(String name) {
        return parameters(rawQueryString).stream().filter(p -> p.name().equals(name)).map(Parameter::value).findFirst();
    }

    /**
     * The body read as an HTML form ({@code application/x-www-form-urlencoded}, UTF-8), in the order sent; empty
     * when the body is not a form.
     */
    public List<Parameter> formParameters() {
        String contentType = header("content-type").orElse("").toLowerCase(Locale.ROOT);
        if (!contentType.startsWith("application/x-www-form-urlencoded")) {
            return List.of();
        }
        return parameters(new String(body, StandardCharsets.UTF_8));
    }

    public boolean isMethod(String expected) {
        return method.equalsIgnoreCase(expected);
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    public record Parameter(String name, String value) {
    }

    private static List<Parameter> parameters(String encoded) {
        List<Parameter> result = new ArrayList<>();
        if (encoded == null || encoded.isEmpty()) {
            return result;
        }
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                result.add(new Parameter(URLDecoder.decode(name, StandardCharsets.UTF_8),
                        URLDecoder.decode(value, StandardCharsets.UTF_8)));
            } catch (IllegalArgumentException malformedEscape) {
                // a malformed pair cannot be what the provider signed; leave it out and let verification fail
            }
        }
        return result;
    }
}
