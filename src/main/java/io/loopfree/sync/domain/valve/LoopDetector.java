package io.loopfree.sync.domain.valve;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The loop detector's arithmetic, pure. Outbound writes are counted per account in fixed windows
 * ({@link #windowStart}); the account's baseline is the mean of its previous windows' counts, never below the floor;
 * a window whose count passes {@code factor ×} the baseline suspects a loop.
 */
public final class LoopDetector {

    private LoopDetector() {
    }

    public static Instant windowStart(Instant now, Duration window) {
        long size = Math.max(1, window.getSeconds());
        return Instant.ofEpochSecond(Math.floorDiv(now.getEpochSecond(), size) * size);
    }

    /** {@code previous} windows' starts, newest first. */
    public static List<Instant> previousWindows(Instant start, Duration window, int previous) {
        return java.util.stream.IntStream.rangeClosed(1, Math.max(0, previous))
                .mapToObj(i -> start.minus(window.multipliedBy(i))).toList();
    }

    public static double baseline(List<Long> previousCounts, long floor) {
        double mean = previousCounts.isEmpty() ? 0
                : previousCounts.stream().mapToLong(Long::longValue).sum() / (double) previousCounts.size();
        return Math.max(floor, mean);
    }

    public static boolean suspect(long count, double baseline, double factor) {
        return count > factor * baseline;
    }
}
