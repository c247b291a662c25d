package io.loopfree.sync.domain.webhook;

import java.util.function.Supplier;

/**
 * A value computed at most once, on first use (e.g. a body parsed only if some rule needs it). Not thread-safe:
 * it lives inside one request.
 */
public final class Memo<T> implements Supplier<T> {

    private final Supplier<T> compute;
    private boolean done;
    private T value;

    private Memo(Supplier<T> compute) {
        this.compute = compute;
    }

    public static <T> Memo<T> of(Supplier<T> compute) {
        return new Memo<>(compute);
    }

    @Override
    public T get() {
        if (!done) {
            value = compute.get();
            done = true;
        }
        return value;
    }
}
