package io.loopfree.sync.local.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/** The sandbox over HTTP (the JDK's server, on 127.0.0.1): a thin adapter onto {@link SandboxApi#handle}. */
final class SandboxHttpServer implements AutoCloseable {

    /** Bodies are bounded: a sandbox must not be made to hold an arbitrary amount of memory per request. */
    static final int MAX_BODY_BYTES = 1 << 20;

    private final HttpServer server;
    private final ExecutorService executor;
    private final SandboxApi api;

    SandboxHttpServer(int port, String system, SandboxApi api) throws IOException {
        this.api = api;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        // several threads, so that concurrent clients really are concurrent (the upsert race is tested over HTTP)
        this.executor = Executors.newFixedThreadPool(4, r -> {
            Thread thread = new Thread(r, "sandbox-http-" + system);
            thread.setDaemon(true);
            return thread;
        });
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(MAX_BODY_BYTES + 1);
            }
            SandboxResponse response;
            if (body.length > MAX_BODY_BYTES) {
                response = SandboxResponse.error(413, "body larger than " + MAX_BODY_BYTES + " bytes");
            } else {
                Map<String, String> headers = new HashMap<>();
                exchange.getRequestHeaders().forEach((name, values) -> {
                    if (!values.isEmpty()) {
                        headers.put(name, values.get(0));
                    }
                });
                URI uri = exchange.getRequestURI();
                response = api.handle(new SandboxRequest(exchange.getRequestMethod(), uri.getRawPath(),
                        uri.getRawQuery(), headers, body));
            }
            response.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            byte[] out = response.body();
            exchange.sendResponseHeaders(response.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream stream = exchange.getResponseBody()) {
                    stream.write(out);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
