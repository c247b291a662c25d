package io.loopfree.sync.ports;

import java.util.Map;

/**
 * Metrics for CloudWatch alarms and dashboards. One port for every metric the engine emits; the adapter decides
 * how they reach CloudWatch (Embedded Metric Format log lines: no request, no agent). The names, dimensions and
 * their bounds are {@code app.SyncMetrics}'s (docs/operations.md).
 */
public interface Metrics {

    String NAMESPACE = "LoopfreeSync";

    /**
     * One datapoint, recorded twice: under the function alone (what the alarms watch: sums and maxima across
     * every account) and, when {@code dimensions} is not empty, under the function plus those dimensions.
     *
     * @param name       the metric name ({@code OutboundWritesPerAccount})
     * @param value      the datapoint
     * @param unit       a CloudWatch unit ({@code Count}, {@code Milliseconds}, {@code Seconds}, {@code Percent})
     * @param dimensions dimension name → value; only values from a bounded set (documented per metric)
     * @param properties searchable context kept with the datapoint, not dimensions (record, window…); bounded
     */
    void emit(String name, double value, String unit, Map<String, String> dimensions, Map<String, String> properties);

    /** A datapoint under the function alone. */
    default void emit(String name, double value, String unit, Map<String, String> properties) {
        emit(name, value, unit, Map.of(), properties);
    }
}
