package io.loopfree.sync.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The Lambda Runtime API (docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html) for one instance of a function
 * (one runtime process), on loopback: the runtime polls {@code /invocation/next} and posts a response or an error,
 * exactly as in AWS. The instances of a function share one queue of pending invocations, so each invocation goes
 * to whichever instance asks first, as Lambda's concurrency does. Written here because Quarkus' MockEventServer
 * omits the deadline and function-ARN headers that AWS's runtime interface client reads.
 */
final class LambdaRuntimeApiServer implements AutoCloseable {

    static {
        LocalHttp.noDelay();
    }

    private static final String PREFIX = "/2018-06-01/runtime/";

    /** One invocation: its event, and the future its caller waits on. */
    record Invocation(String requestId, String event, CompletableFuture<String> result) {
        static Invocation of(String event) {
            return new Invocation(UUID.randomUUID().toString(), event, new CompletableFuture<>());
        }
    }

    /** The function reported an error (a Lambda "Unhandled" error), or its runtime died or timed out. */
    static final class FunctionError extends RuntimeException {
        FunctionError(String body) {
            super(body);
        }
    }

    private final String functionName;
    private final Duration timeout;
    private final BlockingDeque<Invocation> pending;
    private final LongConsumer durations;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "runtime-api");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Invocation> inFlight = new ConcurrentHashMap<>();
    private final Map<String, Long> startedAt = new ConcurrentHashMap<>();
    private final CompletableFuture<String> initError = new CompletableFuture<>();
    private final CompletableFuture<Void> initialized = new CompletableFuture<>();

    /**
     * @param pending the function's invocations waiting for an instance (shared by its instances)
     * @param durations receives each completed invocation's duration in nanoseconds, from pick-up to response
     */
    LambdaRuntimeApiServer(String functionName, Duration timeout, BlockingDeque<Invocation> pending,
            LongConsumer durations) throws IOException {
        this.functionName = functionName;
        this.timeout = timeout;
        this.pending = pending;
        this.durations = durations;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(PREFIX, this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** The value for {@code AWS_LAMBDA_RUNTIME_API}. */
    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** Completes with the runtime's init error body, if it reports one. */
    CompletableFuture<String> initError() {
        return initError;
    }

    /** Completes when the runtime first asks for an invocation: its init phase is over. */
    CompletableFuture<Void> initialized() {
        return initialized;
    }

    /** The runtime behind this server died: what it was running fails now, as Lambda reports Runtime.ExitError. */
    void failInFlight(String why) {
        inFlight.values().forEach(i -> i.result().completeExceptionally(new FunctionError(
                "{\"errorType\":\"Runtime.ExitError\",\"errorMessage\":\"" + why.replace("\"", "'") + "\"}")));
        inFlight.clear();
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
        if (invocation.result().isDone()) { // its caller gave up waiting: never run it
            next(exchange);
            return;
        }
        inFlight.put(invocation.requestId(), invocation);
        startedAt.put(invocation.requestId(), System.nanoTime());
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        // as in Lambda, the function's timeout runs from the moment its runtime picks the invocation up
        invocation.result().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        exchange.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", invocation.requestId());
        exchange.getResponseHeaders().add("Lambda-Runtime-Deadline-Ms", Long.toString(deadline));
        exchange.getResponseHeaders().add("Lambda-Runtime-Invoked-Function-Arn",
                "arn:aws:lambda:us-east-1:000000000000:function:" + functionName);
        exchange.getResponseHeaders().add("Lambda-Runtime-Trace-Id",
                "Root=1-00000000-" + invocation.requestId().replace("-", "").substring(0, 24) + ";Sampled=0");
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        try {
            respond(exchange, 200, invocation.event());
        } catch (IOException e) {
            // the runtime went away between asking and receiving: another instance takes the invocation
            inFlight.remove(invocation.requestId());
            startedAt.remove(invocation.requestId());
            pending.addFirst(invocation);
            throw e;
        }
    }

    private void complete(HttpExchange exchange, String path, boolean error) throws IOException {
        String requestId = path.substring("invocation/".length(), path.lastIndexOf('/'));
        String body = read(exchange);
        Invocation invocation = inFlight.remove(requestId);
        Long started = startedAt.remove(requestId);
        if (invocation == null) {
            respond(exchange, 400, "{\"errorMessage\":\"unknown request id\"}");
            return;
        }
        if (started != null) {
            durations.accept(System.nanoTime() - started);
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
        failInFlight("the runtime API of " + functionName + " was closed");
    }
}
