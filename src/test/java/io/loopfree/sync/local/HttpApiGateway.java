package io.loopfree.sync.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A local stand-in for the API Gateway HTTP API: turns each request to {@code /webhooks/{system}/{tenant}} into
 * a payload format 2.0 event, invokes the ingress function with it, and writes back the status, headers and
 * body the function returned. {@code GET /_local/state} prints what the engine holds.
 */
final class HttpApiGateway implements AutoCloseable {

    static {
        LocalHttp.noDelay();
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROUTE_PREFIX = "/webhooks/";
    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private final HttpServer server;
    private final Function<String, String> ingress;
    private final Supplier<String> state;

    HttpApiGateway(int port, Function<String, String> ingress, Supplier<String> state) throws IOException {
        this(port, ingress, state, 4);
    }

    /** @param threads requests served at once (at least the ingress's concurrency, so that none idles) */
    HttpApiGateway(int port, Function<String, String> ingress, Supplier<String> state, int threads) throws IOException {
        this.ingress = ingress;
        this.state = state;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(Math.max(4, threads), r -> {
            Thread thread = new Thread(r, "api-gateway");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
    }

    URI baseUrl() {
        return URI.create("http://localhost:" + server.getAddress().getPort());
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            if (path.equals("/_local/state")) {
                respond(exchange, 200, "application/json", state.get().getBytes(StandardCharsets.UTF_8));
                return;
            }
            String[] segments = path.startsWith(ROUTE_PREFIX) ? path.substring(ROUTE_PREFIX.length()).split("/") : new String[0];
            if (segments.length != 2 || segments[0].isEmpty() || segments[1].isEmpty()) {
                respond(exchange, 404, "application/json", "{\"message\":\"Not Found\"}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String response;
            try {
                response = ingress.apply(event(exchange, path, segments, body));
            } catch (RuntimeException e) {
                // what API Gateway answers when the integration fails
                respond(exchange, 500, "application/json",
                        "{\"message\":\"Internal Server Error\"}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            JsonNode result = JSON.readTree(response);
            byte[] responseBody = result.path("isBase64Encoded").asBoolean(false)
                    ? Base64.getDecoder().decode(result.path("body").asText(""))
                    : result.path("body").asText("").getBytes(StandardCharsets.UTF_8);
            result.path("headers").fields().forEachRemaining(h -> exchange.getResponseHeaders().set(h.getKey(), h.getValue().asText()));
            respond(exchange, result.path("statusCode").asInt(502), null, responseBody);
        }
    }

    /** The HTTP API payload format 2.0 event for one request. */
    private static String event(HttpExchange exchange, String path, String[] segments, byte[] body) {
        String method = exchange.getRequestMethod();
        String query = exchange.getRequestURI().getRawQuery();
        Instant now = Instant.now();
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "2.0");
        event.put("routeKey", method + " /webhooks/{system}/{tenant}");
        event.put("rawPath", path);
        event.put("rawQueryString", query == null ? "" : query);
        ObjectNode headers = event.putObject("headers");
        // HTTP APIs lower-case header names and join repeated values with commas
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
        forwarded(exchange, headers);
        if (query != null && !query.isEmpty()) {
            ObjectNode parameters = event.putObject("queryStringParameters");
            for (String pair : query.split("&")) {
                String[] kv = pair.split("=", 2);
                String key = java.net.URLDecoder.decode(kv[0], StandardCharsets.UTF_8);
                String value = kv.length > 1 ? java.net.URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "";
                parameters.put(key, parameters.has(key) ? parameters.get(key).asText() + "," + value : value);
            }
        }
        ObjectNode context = event.putObject("requestContext");
        context.put("accountId", "000000000000");
        context.put("apiId", "local");
        context.put("domainName", exchange.getRequestHeaders().getFirst("Host"));
        ObjectNode http = context.putObject("http");
        http.put("method", method);
        http.put("path", path);
        http.put("protocol", exchange.getProtocol());
        http.put("sourceIp", exchange.getRemoteAddress().getAddress().getHostAddress());
        http.put("userAgent", exchange.getRequestHeaders().getFirst("User-Agent"));
        context.put("requestId", UUID.randomUUID().toString());
        context.put("routeKey", method + " /webhooks/{system}/{tenant}");
        context.put("stage", "$default");
        context.put("time", REQUEST_TIME.format(now));
        context.put("timeEpoch", now.toEpochMilli());
        event.putObject("pathParameters").put("system", segments[0]).put("tenant", segments[1]);
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        boolean text = contentType != null && (contentType.startsWith("text/") || contentType.contains("json")
                || contentType.contains("xml"));
        if (body.length > 0) {
            // HTTP APIs pass text bodies as they are and base64-encode everything else
            event.put("body", text ? new String(body, StandardCharsets.UTF_8) : Base64.getEncoder().encodeToString(body));
        }
        event.put("isBase64Encoded", body.length > 0 && !text);
        return event.toString();
    }

    /**
     * The {@code X-Forwarded-*} headers, as API Gateway sets them to describe the URL the sender called (the
     * ingress rebuilds that URL for HubSpot v3 and Twilio signatures): here {@code http} and this endpoint's port,
     * unless a proxy or tunnel in front already described the public URL, whose values pass through (a tunnel's
     * {@code X-Forwarded-Host} becomes the host the ingress sees). The client's address is appended to
     * {@code x-forwarded-for}, as API Gateway does.
     */
    static void forwarded(HttpExchange exchange, ObjectNode headers) {
        boolean behindProxy = headers.has("x-forwarded-proto");
        if (!behindProxy) {
            headers.put("x-forwarded-proto", "http");
        }
        if (!headers.has("x-forwarded-port")) {
            String proto = headers.get("x-forwarded-proto").asText().split(",")[0].trim().toLowerCase(Locale.ROOT);
            String port = behindProxy ? (proto.equals("http") ? "80" : "443")
                    : Integer.toString(exchange.getLocalAddress().getPort());
            headers.put("x-forwarded-port", port);
        }
        if (headers.has("x-forwarded-host")) {
            headers.put("host", headers.get("x-forwarded-host").asText().split(",")[0].trim());
        }
        String client = exchange.getRemoteAddress().getAddress().getHostAddress();
        headers.put("x-forwarded-for", headers.has("x-forwarded-for")
                ? headers.get("x-forwarded-for").asText() + ", " + client : client);
    }

    private static void respond(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        if (contentType != null) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
