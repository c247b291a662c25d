package io.loopfree.sync.adapters.metrics;

import java.io.PrintStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.loopfree.sync.adapters.json.JsonValues;
import io.loopfree.sync.ports.Metrics;

/**
 * CloudWatch Embedded Metric Format: one JSON line on standard output per datapoint, which Lambda ships to
 * CloudWatch Logs and CloudWatch turns into the metric (namespace {@value Metrics#NAMESPACE}, dimension
 * {@code FunctionName}, the function's name from {@code AWS_LAMBDA_FUNCTION_NAME}; {@code local} elsewhere).
 * Written with the application's one JSON writer rather than the aws-embedded-metrics library: that library brings
 * its own reflective Jackson mapping, environment probing and sinks (agent, TCP) the native image would have to
 * register, for what is one line of JSON here.
 */
@ApplicationScoped
public class EmfMetrics implements Metrics {

    private static final int MAX_PROPERTY = 1000;

    private final Clock clock;
    private final String functionName;
    private final PrintStream out;

    @Inject
    public EmfMetrics(Clock clock) {
        this(clock, System.getenv().getOrDefault("AWS_LAMBDA_FUNCTION_NAME", "local"), System.out);
    }

    EmfMetrics(Clock clock, String functionName, PrintStream out) {
        this.clock = clock;
        this.functionName = functionName;
        this.out = out;
    }

    @Override
    public void emit(String name, double value, String unit, Map<String, String> properties) {
        out.println(line(name, value, unit, properties));
    }

    /** The EMF document of one datapoint. */
    String line(String name, double value, String unit, Map<String, String> properties) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("_aws", Map.of(
                "Timestamp", clock.millis(),
                "CloudWatchMetrics", List.of(Map.of(
                        "Namespace", NAMESPACE,
                        "Dimensions", List.of(List.of("FunctionName")),
                        "Metrics", List.of(Map.of("Name", name, "Unit", unit))))));
        document.put("FunctionName", functionName);
        properties.forEach((key, text) -> {
            if (!key.equals("_aws") && !key.equals("FunctionName") && !key.equals(name)) {
                document.put(key, text == null ? "" : text.length() > MAX_PROPERTY ? text.substring(0, MAX_PROPERTY) : text);
            }
        });
        document.put(name, value);
        return JsonValues.write(document);
    }
}
