package io.loopfree.sync.adapters.metrics;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.loopfree.sync.adapters.json.JsonValues;
import io.loopfree.sync.ports.Metrics;

/**
 * CloudWatch Embedded Metric Format: one JSON line per datapoint in the function's log stream, which CloudWatch
 * turns into the metric (namespace {@value Metrics#NAMESPACE}; dimension sets {@code [FunctionName]} and, with
 * dimensions, {@code [FunctionName, …]}; the function's name from {@code AWS_LAMBDA_FUNCTION_NAME}, {@code local}
 * elsewhere). No CloudWatch API call, no agent.
 *
 * <p>Written with the application's one JSON writer rather than the aws-embedded-metrics library: that library
 * brings its own reflective Jackson mapping, environment probing and sinks (agent, TCP) the native image would have
 * to register, for what is one line of JSON here.
 *
 * <p>The line goes through the logger {@value #LOGGER} (so it is ordered with the other lines and tests capture it
 * like any log line); {@code JsonLogLines} leaves it as it is, and the template's console format {@code %s%n}
 * makes it the whole log line, as EMF requires.
 */
@ApplicationScoped
public class EmfMetrics implements Metrics {

    /** The logger of the EMF lines: keep it at INFO, or the metrics stop. */
    public static final String LOGGER = "io.loopfree.sync.metrics";

    private static final int MAX_PROPERTY = 1000;
    private static final int MAX_DIMENSION = 128;
    private static final Logger LOG = Logger.getLogger(LOGGER);

    private final Clock clock;
    private final String functionName;
    private final Consumer<String> out;

    @Inject
    public EmfMetrics(Clock clock) {
        this(clock, System.getenv().getOrDefault("AWS_LAMBDA_FUNCTION_NAME", "local"), LOG::info);
    }

    EmfMetrics(Clock clock, String functionName, Consumer<String> out) {
        this.clock = clock;
        this.functionName = functionName;
        this.out = out;
    }

    @Override
    public void emit(String name, double value, String unit, Map<String, String> dimensions,
            Map<String, String> properties) {
        out.accept(line(name, value, unit, dimensions, properties));
    }

    /** The EMF document of one datapoint. */
    String line(String name, double value, String unit, Map<String, String> dimensions, Map<String, String> properties) {
        List<List<String>> sets = new ArrayList<>();
        sets.add(List.of("FunctionName"));
        Map<String, Object> document = new LinkedHashMap<>();
        Map<String, String> dimensionValues = new LinkedHashMap<>();
        dimensions.forEach((key, text) -> {
            if (!reserved(key, name)) {
                // CloudWatch refuses an empty dimension value
                String v = text == null || text.isBlank() ? "-" : text;
                dimensionValues.put(key, v.length() > MAX_DIMENSION ? v.substring(0, MAX_DIMENSION) : v);
            }
        });
        if (!dimensionValues.isEmpty()) {
            List<String> set = new ArrayList<>();
            set.add("FunctionName");
            set.addAll(dimensionValues.keySet());
            sets.add(set);
        }
        document.put("_aws", Map.of(
                "Timestamp", clock.millis(),
                "CloudWatchMetrics", List.of(Map.of(
                        "Namespace", NAMESPACE,
                        "Dimensions", sets,
                        "Metrics", List.of(Map.of("Name", name, "Unit", unit))))));
        document.put("FunctionName", functionName);
        document.putAll(dimensionValues);
        properties.forEach((key, text) -> {
            if (!reserved(key, name) && !dimensionValues.containsKey(key)) {
                document.put(key, text == null ? "" : text.length() > MAX_PROPERTY ? text.substring(0, MAX_PROPERTY) : text);
            }
        });
        document.put(name, value);
        return JsonValues.write(document);
    }

    private static boolean reserved(String key, String metric) {
        return key.equals("_aws") || key.equals("FunctionName") || key.equals(metric);
    }
}
