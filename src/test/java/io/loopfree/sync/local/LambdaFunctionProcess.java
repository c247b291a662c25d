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
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import com.amazonaws.services.lambda.runtime.api.client.AWSLambda;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;

/**
 * One deployed function, run as AWS Lambda's Java runtime runs it: separate JVMs (instances, as many as the
 * function's concurrency) with the unpacked {@code function.zip} on their class path ({@code task/} and
 * {@code task/lib/*}), AWS's runtime interface client as the main class, the Funqy handler, and the function's
 * environment; each polls its own local Runtime API, and all take invocations from one queue.
 * <p>
 * As Lambda does: an instance whose process dies is replaced by a new one (and the death is logged, with what it
 * was running failed as {@code Runtime.ExitError}); an invocation runs at most the function's timeout from the
 * moment an instance picks it up; and an invocation that no instance picks up within the start-up allowance
 * fails instead of waiting for ever.
 */
final class LambdaFunctionProcess implements AutoCloseable {

    static final String HANDLER = "io.quarkus.funqy.lambda.FunqyStreamHandler::handleRequest";
    /** Names an extracted JNI library, so the runtime client skips its own extraction to a fixed /tmp path. */
    private static final String RIC_JNI_PROPERTY = "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";
    /** The flags AWS's Java runtimes start with (C1 only: a faster start, a slower steady state). */
    public static final String LAMBDA_JVM_OPTIONS = "-XX:+TieredCompilation -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx384m";
    /** The local functions' JVM options: {@code -Dlocal.function.jvm-options}, else Lambda's. */
    static final String JVM_OPTIONS = System.getProperty("local.function.jvm-options", LAMBDA_JVM_OPTIONS);
    /** How long an invocation may wait for an instance (a replacement's init included) before it fails. */
    static final Duration PICK_UP_LIMIT = Duration.ofMinutes(2);

    private final String name;
    private final Path taskRoot;
    private final Map<String, String> environment;
    private final Duration timeout;
    private final Path runtimeClientLibrary;
    private final PrintStream echo;
    private final List<String> jvmOptions;
    private final BlockingDeque<LambdaRuntimeApiServer.Invocation> pending = new LinkedBlockingDeque<>();
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());
    private final ConcurrentLinkedQueue<Long> durations = new ConcurrentLinkedQueue<>();
    private final List<Instance> instances = new ArrayList<>();
    private final AtomicInteger restarts = new AtomicInteger();
    private volatile boolean closing;

    /** One runtime process and its Runtime API endpoint. */
    private record Instance(int number, LambdaRuntimeApiServer runtimeApi, Process process) {
    }

    private LambdaFunctionProcess(String name, Path taskRoot, Map<String, String> environment, Duration timeout,
            Path runtimeClientLibrary, PrintStream echo, String jvmOptions) {
        this.jvmOptions = List.of(jvmOptions.trim().split("\\s+"));
        this.name = name;
        this.taskRoot = taskRoot;
        this.environment = Map.copyOf(environment);
        this.timeout = timeout;
        this.runtimeClientLibrary = runtimeClientLibrary;
        this.echo = echo;
    }

    /** One instance: {@link #start(String, Path, Map, Duration, Path, PrintStream, int)} with concurrency 1. */
    static LambdaFunctionProcess start(String name, Path taskRoot, Map<String, String> environment, Duration timeout,
            Path runtimeClientLibrary, PrintStream echo) {
        return start(name, taskRoot, environment, timeout, runtimeClientLibrary, echo, 1);
    }

    /**
     * @param environment the function's environment variables, as the infra template sets them
     * @param runtimeClientLibrary the runtime client's JNI library, extracted once by {@link #extractRuntimeClientLibrary}
     * @param echo where to copy the function's log lines (prefixed with its name), or null
     * @param concurrency how many instances run at once (Lambda's concurrency for this function)
     */
    static LambdaFunctionProcess start(String name, Path taskRoot, Map<String, String> environment, Duration timeout,
            Path runtimeClientLibrary, PrintStream echo, int concurrency) {
        return start(name, taskRoot, environment, timeout, runtimeClientLibrary, echo, concurrency, JVM_OPTIONS);
    }

    /** @param jvmOptions the function JVMs' options, space-separated (see {@link #JVM_OPTIONS}) */
    static LambdaFunctionProcess start(String name, Path taskRoot, Map<String, String> environment, Duration timeout,
            Path runtimeClientLibrary, PrintStream echo, int concurrency, String jvmOptions) {
        LambdaFunctionProcess function = new LambdaFunctionProcess(name, taskRoot, environment, timeout,
                runtimeClientLibrary, echo, jvmOptions);
        synchronized (function.instances) {
            for (int i = 1; i <= Math.max(1, concurrency); i++) {
                function.instances.add(function.launch(i));
            }
        }
        return function;
    }

    private Instance launch(int number) {
        try {
            LambdaRuntimeApiServer runtimeApi = new LambdaRuntimeApiServer("loopfree-" + name, timeout, pending,
                    durations::add);
            String classPath = String.join(java.io.File.pathSeparator,
                    jarOf(AWSLambda.class), jarOf(PojoSerializer.class),
                    taskRoot.toString(), taskRoot.resolve("lib").toString() + "/*");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.addAll(List.of("-D" + RIC_JNI_PROPERTY + "=" + runtimeClientLibrary,
                    "-cp", classPath, AWSLambda.class.getName(), HANDLER));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(environment);
            builder.environment().put("AWS_LAMBDA_RUNTIME_API", runtimeApi.address());
            builder.environment().put("AWS_LAMBDA_FUNCTION_NAME", "loopfree-" + name);
            builder.environment().put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
            builder.environment().put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512");
            builder.environment().put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/loopfree-" + name);
            builder.environment().put("AWS_LAMBDA_LOG_STREAM_NAME", "local-" + number);
            builder.environment().put("LAMBDA_TASK_ROOT", taskRoot.toString());
            builder.environment().put("_HANDLER", HANDLER);
            Process process = builder.start();
            Instance instance = new Instance(number, runtimeApi, process);
            pumpOutput(instance);
            process.onExit().thenRun(() -> exited(instance));
            return instance;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start function " + name, e);
        }
    }

    /** Lambda replaces an instance whose runtime died; so do we, and say so. */
    private void exited(Instance instance) {
        instance.runtimeApi().failInFlight(name + " instance " + instance.number() + " exited with code "
                + instance.process().exitValue());
        instance.runtimeApi().close();
        if (closing) {
            return;
        }
        log("[local] " + name + " instance " + instance.number() + " (pid " + instance.process().pid()
                + ") exited with code " + instance.process().exitValue() + "; starting a new instance, as Lambda would");
        synchronized (instances) {
            if (closing) {
                return;
            }
            int index = instances.indexOf(instance);
            Instance replacement = launch(instance.number());
            restarts.incrementAndGet();
            if (index >= 0) {
                instances.set(index, replacement);
            } else {
                instances.add(replacement);
            }
        }
    }

    /**
     * Waits for every instance's init phase (Quarkus boot) to end, as Lambda does before the first invocation.
     *
     * @throws IllegalStateException if a runtime reported an init error, a process died, or init took too long
     */
    void awaitInitialized(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        for (Instance instance : instances()) {
            LambdaRuntimeApiServer runtimeApi = instance.runtimeApi();
            while (!runtimeApi.initialized().isDone()) {
                if (runtimeApi.initError().isDone()) {
                    throw new IllegalStateException(name + " failed to initialize: " + runtimeApi.initError().join()
                            + "\n" + String.join("\n", output()));
                }
                if (!instance.process().isAlive()) {
                    throw new IllegalStateException(name + " exited during init (code " + instance.process().exitValue()
                            + "):\n" + String.join("\n", output()));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + " did not initialize within " + limit.toSeconds() + " s");
                }
                try {
                    runtimeApi.initialized().get(50, TimeUnit.MILLISECONDS);
                } catch (TimeoutException | ExecutionException e) {
                    // look again
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted waiting for " + name, e);
                }
            }
        }
    }

    /**
     * Invokes the function synchronously (RequestResponse) and returns its JSON response.
     *
     * @throws LambdaRuntimeApiServer.FunctionError when the function failed, its runtime died, it ran past its
     *         timeout, or no instance picked the invocation up within {@link #PICK_UP_LIMIT}
     */
    String invoke(String event) {
        LambdaRuntimeApiServer.Invocation invocation = LambdaRuntimeApiServer.Invocation.of(event);
        pending.add(invocation);
        try {
            return invocation.result().get(PICK_UP_LIMIT.plus(timeout).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted invoking " + name, e);
        } catch (TimeoutException e) {
            pending.remove(invocation);
            invocation.result().cancel(false);
            throw new LambdaRuntimeApiServer.FunctionError("{\"errorType\":\"Local.NoInstance\",\"errorMessage\":\"no "
                    + name + " instance answered within " + PICK_UP_LIMIT.plus(timeout).toSeconds() + " s\"}");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TimeoutException) {
                throw new LambdaRuntimeApiServer.FunctionError("{\"errorType\":\"Sandbox.Timedout\",\"errorMessage\":\"Task timed out after "
                        + timeout.toSeconds() + " seconds\"}");
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The function's log lines so far, all instances (stdout and stderr, as CloudWatch would receive them). */
    List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    /** Durations (ns) of the invocations completed so far, from pick-up to response: Lambda's "Duration". */
    List<Long> durations() {
        return List.copyOf(durations);
    }

    void clearDurations() {
        durations.clear();
    }

    String name() {
        return name;
    }

    int restarts() {
        return restarts.get();
    }

    /** The process ids of the running instances (to kill one in a test, as a crash would). */
    List<Long> pids() {
        return instances().stream().map(i -> i.process().pid()).toList();
    }

    private List<Instance> instances() {
        synchronized (instances) {
            return List.copyOf(instances);
        }
    }

    private void log(String line) {
        output.add(line);
        if (echo != null) {
            echo.println(line);
        }
    }

    private void pumpOutput(Instance instance) {
        Thread pump = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(instance.process().getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    output.add(line);
                    if (echo != null) {
                        echo.println("[" + name + (instance.number() > 1 ? "#" + instance.number() : "") + "] " + line);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "output-" + name + "-" + instance.number());
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
        closing = true;
        List<Instance> all = instances();
        for (Instance instance : all) {
            instance.process().destroy();
        }
        for (Instance instance : all) {
            try {
                if (!instance.process().waitFor(10, TimeUnit.SECONDS)) {
                    instance.process().destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                instance.process().destroyForcibly();
            }
            instance.runtimeApi().close();
        }
        pending.forEach(i -> i.result().cancel(true));
    }
}
