package io.loopfree.sync.app;

import java.util.Map;

/** What the ingress answers: an HTTP status, a content type, a short body that names the reason, extra headers. */
public record IngressResult(int status, String contentType, String body, Map<String, String> headers) {

    public IngressResult {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    public IngressResult(int status, String contentType, String body) {
        this(status, contentType, body, Map.of());
    }

    static IngressResult json(int status, String body) {
        return new IngressResult(status, "application/json", body);
    }
}
