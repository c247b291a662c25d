package io.loopfree.sync.local.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import io.loopfree.sync.adapters.profiles.JsonProfileRepository;
import io.loopfree.sync.domain.webhook.ProviderProfile;
import io.loopfree.sync.domain.webhook.SignatureSchemes;
import io.loopfree.sync.domain.webhook.Verification;
import io.loopfree.sync.domain.webhook.WebhookRequest;

/**
 * A small local webhook endpoint for the sandbox's tests: keeps every delivery, answers with queued statuses
 * (200 once the queue is empty), and checks signatures with the ingress's own verifier for a profile.
 */
final class WebhookReceiver implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One delivery as received; header names lower-cased, as API Gateway passes them. */
    record Delivery(String method, String path, String rawQuery, Map<String, String> headers, byte[] body) {

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /**
         * Verifies with the signature scheme the ingress builds from {@code profiles/<system>.json}, on the request
         * as API Gateway would hand it over (it adds {@code x-forwarded-proto}; the sandbox called plain http).
         */
        Verification verifyWith(String profileSystem, String secret, Instant now) {
            return verifyWith(new JsonProfileRepository(Optional.empty()).find(profileSystem).orElseThrow(), secret, now);
        }

        Verification verifyWith(ProviderProfile profile, String secret, Instant now) {
            return SignatureSchemes.forProfile(profile, Optional.empty()).verify(asGatewayRequest(), List.of(secret), now);
        }

        WebhookRequest asGatewayRequest() {
            Map<String, String> gatewayHeaders = new HashMap<>(headers);
            gatewayHeaders.put("x-forwarded-proto", "http");
            return new WebhookRequest(method, path, rawQuery, gatewayHeaders, body);
        }
    }

    private final HttpServer server;
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final Deque<Integer> statuses = new ConcurrentLinkedDeque<>();

    WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readAllBytes();
                }
                Map<String, String> headers = new HashMap<>();
                exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT),
                        String.join(",", values)));
                String query = exchange.getRequestURI().getRawQuery();
                deliveries.add(new Delivery(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                        query == null ? "" : query, Map.copyOf(headers), body));
                Integer status = statuses.poll();
                byte[] answer = "{}".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(status == null ? 200 : status, answer.length);
                exchange.getResponseBody().write(answer);
            }
        });
        server.start();
    }

    /** E.g. {@code http://127.0.0.1:4711/webhooks/sandbox-rich/acme}. */
    String url(String system, String tenant) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/webhooks/" + system + "/" + tenant;
    }

    /** The next deliveries are answered with these statuses, in order. */
    void answer(Integer... next) {
        statuses.addAll(List.of(next));
    }

    List<Delivery> deliveries() {
        return new ArrayList<>(deliveries);
    }

    List<JsonNode> bodies() {
        return deliveries.stream().map(Delivery::json).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
