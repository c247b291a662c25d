package io.loopfree.sync.app;

/** What the ingress answers: an HTTP status, a content type and a short body that names the reason. */
public record IngressResult(int status, String contentType, String body) {

    static IngressResult json(int status, String body) {
        return new IngressResult(status, "application/json", body);
    }
}
