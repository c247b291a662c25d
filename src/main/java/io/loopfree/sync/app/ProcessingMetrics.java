package io.loopfree.sync.app;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Counts processor outcomes by label for this instance, and emits each as CloudWatch metrics ({@link SyncMetrics}:
 * {@code MessagesProcessed} by system and outcome, {@code EventsApplied}, {@code EchoesDropped} by layer,
 * {@code MessagesFailed} by cause).
 */
@ApplicationScoped
public class ProcessingMetrics {

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final SyncMetrics metrics;

    public ProcessingMetrics(SyncMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * @param system the envelope's system, {@code -} when the message could not be read
     */
    public void record(Outcome outcome, String system) {
        counts.computeIfAbsent(outcome.label(), k -> new LongAdder()).increment();
        metrics.processed(outcome, system);
    }

    /** The people's values one message kept as conflicts ({@code ConflictsKept} by rule). */
    public void conflicts(java.util.List<io.loopfree.sync.domain.conflict.Conflict> kept) {
        kept.forEach(conflict -> metrics.conflictKept(conflict.rule()));
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
