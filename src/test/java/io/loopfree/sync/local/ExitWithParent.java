package io.loopfree.sync.local;

import java.util.Optional;

/**
 * Ends this JVM (running its shutdown hooks) when the process that started it ends. {@code ./mvnw -Plocal} runs the
 * engine in a JVM of its own (exec:exec); when Maven is stopped by TERM or killed, that child would otherwise be
 * reparented and run on, holding its ports and its function processes.
 */
public final class ExitWithParent {

    private ExitWithParent() {
    }

    /** @return the parent's pid, when there is one to watch */
    public static Optional<Long> install() {
        Optional<ProcessHandle> parent = ProcessHandle.current().parent();
        parent.ifPresent(p -> p.onExit().thenRun(() -> {
            System.err.println("[local] the process that started this engine (pid " + p.pid() + ") ended; stopping");
            System.exit(143);
        }));
        return parent.map(ProcessHandle::pid);
    }

    /** A JVM that only waits for its parent: lets a test check the mechanism without starting an engine. */
    public static void main(String[] args) throws InterruptedException {
        install();
        System.out.println("pid " + ProcessHandle.current().pid());
        System.out.flush();
        new java.util.concurrent.CountDownLatch(1).await();
    }
}
