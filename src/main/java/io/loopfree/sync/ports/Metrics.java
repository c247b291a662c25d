package io.loopfree.sync.ports;

import java.util.Map;

/**
 * Metrics for CloudWatch alarms and dashboards. One port for every metric the engine emits; the adapter decides
 * how they reach CloudWatch (Embedded Metric Format log lines: no request, no agent).
 */
public interface Metrics {

    String NAMESPACE = "LoopfreeSync";

    /**
     * @param name       the metric name ({@code OutboundWritesPerAccount})
     * @param value      the datapoint
     * @param unit       a CloudWatch unit ({@code Count}, {@code Milliseconds}, {@code None})
     * @param properties searchable context kept with the datapoint, not dimensions (account, window…); bounded
     */
    void emit(String name, double value, String unit, Map<String, String> properties);
}
