package io.loopfree.sync.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.amazonaws.services.lambda.runtime.api.client.AWSLambda;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;

/**
 * One deployed function, run as AWS Lambda's Java runtime runs it: a separate JVM with the unpacked
 * {@code function.zip} on its class path ({@code task/} and {@code task/lib/*}), AWS's runtime interface client
 * as the main class, the Funqy handler, and the function's environment; it polls a local Runtime API.
 */
final class LambdaFunctionProcess implements AutoCloseable {

    static final String HANDLER = "io.quarkus.funqy.lambda.FunqyStreamHandler::handleRequest";
    /** Names an extracted JNI library, so the runtime client skips its own extraction to a fixed /tmp path. */
    private static final String RIC_JNI_PROPERTY = "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";

    private final String name;
    private final LambdaRuntimeApiServer runtimeApi;
    private final Process process;
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());

    private LambdaFunctionProcess(String name, LambdaRuntimeApiServer runtimeApi, Process process) {
        this.name = name;
        this.runtimeApi = runtimeApi;
        this.process = process;
    }

    /**
     * @param environment the function's environment variables, as the infra template sets them
     * @param runtimeClientLibrary the runtime client's JNI library, extracted once by {@link #extractRuntimeClientLibrary}
     * @param echo where to copy the function's log lines (prefixed with its name), or null
     */
    static LambdaFunctionProcess start(String name, Path taskRoot, Map<String, String> environment, Duration timeout,
            Path runtimeClientLibrary, PrintStream echo) {
        try {
            LambdaRuntimeApiServer runtimeApi = new LambdaRuntimeApiServer("loopfree-" + name, timeout);
            String classPath = String.join(java.io.File.pathSeparator,
                    jarOf(AWSLambda.class), jarOf(PojoSerializer.class),
                    taskRoot.toString(), taskRoot.resolve("lib").toString() + "/*");
            List<String> command = List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    // the flags AWS's Java runtimes start with
                    "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx384m",
                    "-D" + RIC_JNI_PROPERTY + "=" + runtimeClientLibrary,
                    "-cp", classPath, AWSLambda.class.getName(), HANDLER);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(environment);
            builder.environment().put("AWS_LAMBDA_RUNTIME_API", runtimeApi.address());
            builder.environment().put("AWS_LAMBDA_FUNCTION_NAME", "loopfree-" + name);
            builder.environment().put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
            builder.environment().put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512");
            builder.environment().put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/loopfree-" + name);
            builder.environment().put("AWS_LAMBDA_LOG_STREAM_NAME", "local");
            builder.environment().put("LAMBDA_TASK_ROOT", taskRoot.toString());
            builder.environment().put("_HANDLER", HANDLER);
            LambdaFunctionProcess function = new LambdaFunctionProcess(name, runtimeApi, builder.start());
            function.pumpOutput(echo);
            return function;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start function " + name, e);
        }
    }

    /**
     * Waits for the function's init phase (Quarkus boot) to end, as Lambda does before the first invocation.
     *
     * @throws IllegalStateException if the runtime reported an init error, the process died, or init took too long
     */
    void awaitInitialized(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!runtimeApi.initialized().isDone()) {
            if (runtimeApi.initError().isDone()) {
                throw new IllegalStateException(name + " failed to initialize: " + runtimeApi.initError().join()
                        + "\n" + String.join("\n", output()));
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited during init (code " + process.exitValue() + "):\n"
                        + String.join("\n", output()));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not initialize within " + limit.toSeconds() + " s");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + name, e);
            }
        }
    }

    /** Invokes the function synchronously (RequestResponse) and returns its JSON response. */
    String invoke(String event) {
        CompletableFuture<String> result = runtimeApi.invoke(event);
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted invoking " + name, e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The function's log lines so far (stdout and stderr, as CloudWatch would receive them). */
    List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    String name() {
        return name;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    private void pumpOutput(PrintStream echo) {
        Thread pump = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    output.add(line);
                    if (echo != null) {
                        echo.println("[" + name + "] " + line);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "output-" + name);
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * Extracts the runtime client's JNI library for this machine into {@code directory}. Left to itself, every
     * function process would extract it to the same /tmp file, and concurrent starts crash the loader (SIGBUS).
     */
    static Path extractRuntimeClientLibrary(Path directory) throws IOException {
        // glibc builds; Lambda's own images and this project's machines are glibc-based
        String arch = System.getProperty("os.arch").contains("aarch64") ? "aarch_64" : "x86_64";
        String resource = "/jni/libaws-lambda-jni.linux-" + arch + ".so";
        Path target = directory.resolve("libaws-lambda-jni.so");
        try (InputStream in = AWSLambda.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("the runtime interface client has no " + resource);
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    private static String jarOf(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        runtimeApi.close();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
