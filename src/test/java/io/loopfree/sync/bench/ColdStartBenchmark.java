package io.loopfree.sync.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.loopfree.sync.local.LocalEngine;
import io.loopfree.sync.support.EmbeddedAws;

/**
 * {@code ./mvnw -Pbench -Dbench=ColdStartBenchmark package exec:exec}: the JVM variant's cold start, as Lambda
 * would see it without SnapStart: for each function, a fresh JVM with Lambda's flags under AWS's runtime client,
 * the packaged {@code function.zip}, timed from process start to the end of init (Quarkus boot, priming included)
 * and to its first response (a signed webhook, an SQS batch of one new contact, a scheduled run). Several runs per
 * function ({@code -Dbench.runs}, default 5); the engine's own functions stay idle meanwhile. A change that slows
 * start-up shows here. SnapStart restores a snapshot taken after init, so in AWS its cold start is roughly the
 * restore plus the first-response part.
 */
public final class ColdStartBenchmark {

    static final int RUNS = Integer.getInteger("bench.runs", 5);
    static final String JVM_OPTIONS = System.getProperty("bench.jvm-options",
            "-XX:+TieredCompilation -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx384m");

    public static void main(String[] args) throws Exception {
        Path functionZip = Path.of(System.getProperty("function.zip", "target/function.zip"));
        Map<String, List<LocalEngine.ColdStart>> results = new LinkedHashMap<>();
        try (LocalEngine engine = LocalEngine.start(new LocalEngine.Settings(functionZip, 0, EmbeddedAws.freePort(),
                EmbeddedAws.freePort(), Duration.ZERO, null, 3,
                new PrintStream(Files.newOutputStream(Path.of("target", "cold-start-benchmark.log")), true), 1,
                LocalEngine.PROCESSOR_TIMEOUT))) {
            for (String function : List.of("ingress", "processor", "reconciler")) {
                engine.coldStart(function, JVM_OPTIONS); // warms the OS file cache, not measured
                List<LocalEngine.ColdStart> runs = new ArrayList<>();
                for (int i = 0; i < RUNS; i++) {
                    runs.add(engine.coldStart(function, JVM_OPTIONS));
                }
                results.put(function, runs);
            }
        }
        System.out.printf(Locale.ROOT, """

                Cold-start benchmark: function.zip (JVM) under the Lambda runtime client, JVM options "%s",
                %d cores, %d runs per function (after one unmeasured run)

                | function   | init p50 ms | init max ms | first response p50 ms | first response max ms | first invocation alone p50 ms |
                |------------|------------:|------------:|----------------------:|----------------------:|------------------------------:|
                """, JVM_OPTIONS, Runtime.getRuntime().availableProcessors(), RUNS);
        results.forEach((function, runs) -> {
            List<Double> init = runs.stream().map(LocalEngine.ColdStart::initMillis).toList();
            List<Double> first = runs.stream().map(LocalEngine.ColdStart::firstResponseMillis).toList();
            List<Double> invocation = runs.stream().map(r -> r.firstResponseMillis() - r.initMillis()).toList();
            System.out.printf(Locale.ROOT, "| %-10s | %11.0f | %11.0f | %21.0f | %21.0f | %29.0f |%n", function,
                    LocalEngineBenchmark.percentile(init, 50), LocalEngineBenchmark.percentile(init, 100),
                    LocalEngineBenchmark.percentile(first, 50), LocalEngineBenchmark.percentile(first, 100),
                    LocalEngineBenchmark.percentile(invocation, 50));
        });
        results.forEach((function, runs) -> System.out.println(function + " first response: "
                + runs.get(runs.size() - 1).response().replaceAll("\\s+", " ").substring(0,
                        Math.min(120, runs.get(runs.size() - 1).response().length()))));
        System.exit(0);
    }
}
