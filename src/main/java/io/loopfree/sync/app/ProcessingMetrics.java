package io.loopfree.sync.app;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Counts processor outcomes by label for this instance. The durable, cross-instance count is the structured log
 * line every message writes ({@code outcome=...}), which CloudWatch metric filters turn into metrics.
 */
@ApplicationScoped
public class ProcessingMetrics {

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    public void record(Outcome outcome) {
        counts.computeIfAbsent(outcome.label(), k -> new LongAdder()).increment();
    }

    public long count(String label) {
        LongAdder adder = counts.get(label);
        return adder == null ? 0 : adder.sum();
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> copy = new TreeMap<>();
        counts.forEach((label, adder) -> copy.put(label, adder.sum()));
        return copy;
    }
}
