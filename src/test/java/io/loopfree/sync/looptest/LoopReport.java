package io.loopfree.sync.looptest;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one loop test found. {@link #exitCode()}: 0 the echo was caught and nothing went back out, 1 a loop would
 * happen (no layer caught the echo, or a write went back out), 2 the test could not run (bad input: a missing
 * profile, a mapping error, nothing written, nothing came back).
 *
 * @param verdict  CAUGHT, LOOP or ERROR
 * @param layers   the layers that caught the echoes, in order (actor, change-agent, marker, state-hash)
 * @param lines    the report, one finding a line
 */
public record LoopReport(Verdict verdict, List<String> layers, List<String> lines) {

    public enum Verdict {
        CAUGHT, LOOP, ERROR
    }

    public LoopReport {
        layers = List.copyOf(layers);
        lines = List.copyOf(lines);
    }

    static LoopReport error(String system, String message) {
        return new LoopReport(Verdict.ERROR, List.of(), List.of("loop-test system=" + system + " ERROR: " + message));
    }

    public int exitCode() {
        switch (verdict) {
            case CAUGHT: return 0;
            case LOOP: return 1;
            default: return 2;
        }
    }

    /** The first layer that caught an echo. */
    public Optional<String> layer() {
        return layers.stream().findFirst();
    }

    public String text() {
        return String.join("\n", lines);
    }

    /** Accumulates the report's lines while the test runs. */
    static final class Builder {
        final List<String> lines = new ArrayList<>();

        Builder line(String line) {
            lines.add(line);
            return this;
        }

        LoopReport finish(Verdict verdict, List<String> layers, String result) {
            lines.add(result);
            return new LoopReport(verdict, layers, lines);
        }
    }
}
