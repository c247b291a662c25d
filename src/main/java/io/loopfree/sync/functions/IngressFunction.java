package io.loopfree.sync.functions;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.inject.Inject;

import io.loopfree.sync.app.IngressResult;
import io.loopfree.sync.app.IngressService;
import io.loopfree.sync.domain.webhook.WebhookRequest;
import io.quarkus.funqy.Funq;

/** Lambda entry for {@code QUARKUS_FUNQY_EXPORT=ingress}: API Gateway HTTP API event in, HTTP response out. */
public class IngressFunction {

    private static final String PREFIX = "/webhooks/";

    @Inject
    IngressService ingress;

    @Funq("ingress")
    public HttpApiResponse ingress(HttpApiEvent event) {
        String method = event.requestContext() != null && event.requestContext().http() != null
                ? event.requestContext().http().method()
                : "";
        String path = event.rawPath() == null ? "" : event.rawPath();
        byte[] body;
        try {
            body = decodeBody(event);
        } catch (IllegalArgumentException e) {
            return toResponse(new IngressResult(400, "application/json",
                    "{\"error\":\"malformed_body\",\"reason\":\"isBase64Encoded is true but the body is not base64\"}"));
        }
        WebhookRequest request = new WebhookRequest(method == null ? "" : method, path, event.rawQueryString(),
                event.headers() == null ? Map.of() : event.headers(), body);
        return toResponse(ingress.handle(pathParameter(event, "system", 0), pathParameter(event, "tenant", 1), request));
    }

    private static byte[] decodeBody(HttpApiEvent event) {
        if (event.body() == null) {
            return new byte[0];
        }
        return event.isBase64Encoded()
                ? Base64.getDecoder().decode(event.body())
                : event.body().getBytes(StandardCharsets.UTF_8);
    }

    /** From the route's path parameters, or from the raw path when the API uses a catch-all route. */
    private static String pathParameter(HttpApiEvent event, String name, int position) {
        if (event.pathParameters() != null && event.pathParameters().get(name) != null) {
            return event.pathParameters().get(name);
        }
        String path = event.rawPath();
        if (path == null || !path.startsWith(PREFIX)) {
            return null;
        }
        String[] segments = path.substring(PREFIX.length()).split("/");
        return segments.length == 2 && position < segments.length ? segments[position] : null;
    }

    private static HttpApiResponse toResponse(IngressResult result) {
        Map<String, String> headers = new LinkedHashMap<>(result.headers());
        headers.put("content-type", result.contentType());
        return new HttpApiResponse(result.status(), headers, result.body(), false);
    }
}
