package io.loopfree.sync.local;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Function;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A local stand-in for an Amazon EventBridge partner event bus and its rule: each event POSTed to it (a sandbox of
 * variety {@code EVENT_RELAY}, or a recorded event replayed with {@code curl}) invokes the relay function, as the
 * rule's target does, retried like the target's retry policy (here: three attempts). Answers 200 with the
 * function's result, 502 when every attempt failed.
 */
final class LocalEventBus implements AutoCloseable {

    static final int ATTEMPTS = 3;

    private final HttpServer server;
    private final Function<String, String> relay;

    LocalEventBus(Function<String, String> relay) throws IOException {
        this.relay = relay;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/events", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread thread = new Thread(r, "event-bus");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
    }

    /** Where events are put: {@code POST <this>}. */
    URI eventsUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/events");
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("POST")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            String event;
            try (InputStream in = exchange.getRequestBody()) {
                event = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            String result = null;
            for (int attempt = 1; attempt <= ATTEMPTS && result == null; attempt++) {
                try {
                    result = relay.apply(event);
                } catch (RuntimeException e) {
                    // the next attempt; after the last, the event would be in the rule's dead-letter queue
                }
            }
            byte[] body = (result == null ? "{\"message\":\"the relay failed every attempt\"}" : result)
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(result == null ? 502 : 200, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
