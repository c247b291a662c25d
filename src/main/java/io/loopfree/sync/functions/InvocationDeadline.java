package io.loopfree.sync.functions;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * When the current Lambda invocation is killed, as its {@code Context} said on entry. Funqy (3.34) does not hand
 * the Context to a {@code @Funq} method (its Lambda binding drops it before the function's request context is
 * built), so {@link DeadlineStreamHandler} records it here. One invocation runs at a time in a Lambda execution
 * environment; empty outside Lambda's managed Java runtime (the native runtime's poll loop, tests, local runs).
 */
public final class InvocationDeadline {

    private static final AtomicReference<Instant> CURRENT = new AtomicReference<>();

    private InvocationDeadline() {
    }

    static void set(Instant deadline) {
        CURRENT.set(deadline);
    }

    static void clear() {
        CURRENT.set(null);
    }

    public static Optional<Instant> current() {
        return Optional.ofNullable(CURRENT.get());
    }
}
