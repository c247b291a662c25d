package io.loopfree.sync.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The Lambda Runtime API (docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html) for one function, on
 * loopback: the function's runtime polls {@code /invocation/next} and posts a response or an error, exactly as
 * in AWS. Written here because Quarkus' MockEventServer omits the deadline and function-ARN headers that AWS's
 * runtime interface client reads.
 */
final class LambdaRuntimeApiServer implements AutoCloseable {

    private static final String PREFIX = "/2018-06-01/runtime/";

    record Invocation(String requestId, String event, CompletableFuture<String> result) {
    }

    /** The function reported an error (a Lambda "Unhandled" error): its JSON error body. */
    static final class FunctionError extends RuntimeException {
        FunctionError(String body) {
            super(body);
        }
    }

    private final String functionName;
    private final Duration timeout;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "runtime-api");
        thread.setDaemon(true);
        return thread;
    });
    private final BlockingQueue<Invocation> pending = new LinkedBlockingQueue<>();
    private final Map<String, Invocation> inFlight = new ConcurrentHashMap<>();
    private final CompletableFuture<String> initError = new CompletableFuture<>();
    private final CompletableFuture<Void> initialized = new CompletableFuture<>();

    LambdaRuntimeApiServer(String functionName, Duration timeout) throws IOException {
        this.functionName = functionName;
        this.timeout = timeout;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(PREFIX, this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** The value for {@code AWS_LAMBDA_RUNTIME_API}. */
    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /**
     * Queues one invocation; the future completes with the function's response or a {@link FunctionError}. As in
     * Lambda, the function's timeout runs from the moment its runtime picks the invocation up.
     */
    CompletableFuture<String> invoke(String event) {
        Invocation invocation = new Invocation(UUID.randomUUID().toString(), event, new CompletableFuture<>());
        pending.add(invocation);
        return invocation.result();
    }

    /** Completes with the runtime's init error body, if it reports one. */
    CompletableFuture<String> initError() {
        return initError;
    }

    /** Completes when the runtime first asks for an invocation: its init phase is over. */
    CompletableFuture<Void> initialized() {
        return initialized;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath().substring(PREFIX.length());
        try (exchange) {
            if (path.equals("invocation/next") && exchange.getRequestMethod().equals("GET")) {
                next(exchange);
            } else if (path.startsWith("invocation/") && path.endsWith("/response")) {
                complete(exchange, path, false);
            } else if (path.startsWith("invocation/") && path.endsWith("/error")) {
                complete(exchange, path, true);
            } else if (path.equals("init/error")) {
                initError.complete(read(exchange));
                respond(exchange, 202, "{\"status\":\"OK\"}");
            } else {
                respond(exchange, 404, "{\"errorMessage\":\"unknown runtime API path\"}");
            }
        }
    }

    private void next(HttpExchange exchange) throws IOException {
        initialized.complete(null);
        Invocation invocation;
        try {
            invocation = pending.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        inFlight.put(invocation.requestId(), invocation);
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        invocation.result().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        exchange.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", invocation.requestId());
        exchange.getResponseHeaders().add("Lambda-Runtime-Deadline-Ms", Long.toString(deadline));
        exchange.getResponseHeaders().add("Lambda-Runtime-Invoked-Function-Arn",
                "arn:aws:lambda:us-east-1:000000000000:function:" + functionName);
        exchange.getResponseHeaders().add("Lambda-Runtime-Trace-Id",
                "Root=1-00000000-" + invocation.requestId().replace("-", "").substring(0, 24) + ";Sampled=0");
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        respond(exchange, 200, invocation.event());
    }

    private void complete(HttpExchange exchange, String path, boolean error) throws IOException {
        String requestId = path.substring("invocation/".length(), path.lastIndexOf('/'));
        String body = read(exchange);
        Invocation invocation = inFlight.remove(requestId);
        if (invocation == null) {
            respond(exchange, 400, "{\"errorMessage\":\"unknown request id\"}");
            return;
        }
        if (error) {
            invocation.result().completeExceptionally(new FunctionError(body));
        } else {
            invocation.result().complete(body);
        }
        respond(exchange, 202, "{\"status\":\"OK\"}");
    }

    private static String read(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        pending.forEach(i -> i.result().cancel(true));
        inFlight.values().forEach(i -> i.result().cancel(true));
    }
}
