package io.loopfree.sync.ops;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Extension points for the per-account safety valves (breaker items {@code BREAKER#…}, pause) and the reconciler
 * (forced resync). They are named and parsed now, so the runbook's commands are stable; each answers that it lands
 * with that work (exit code 4) until its item format is in docs/dynamodb.md. Implement each {@code call()} as a
 * conditional write in one transaction with {@link OpsItemMapper#auditItem}, like {@link OutboxCommands}.
 */
final class SafetyValveCommands {

    static final int NOT_YET = 4;

    private SafetyValveCommands() {
    }

    abstract static class NotYet implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        abstract String landsWith();

        @Override
        public Integer call() {
            spec.commandLine().getErr().println("loopfree-ops " + spec.qualifiedName(" ").replace("loopfree-ops ", "")
                    + ": not available yet: lands with " + landsWith()
                    + " (extension point io.loopfree.sync.ops.SafetyValveCommands)");
            return NOT_YET;
        }
    }

    @Command(name = "pause", description = "Pause one account's outbound sync (lands with the safety valves)")
    static final class Pause extends NotYet {
        @Parameters(index = "0", description = "system") String system;
        @Parameters(index = "1", description = "account") String account;
        @picocli.CommandLine.Option(names = "--why", required = true) String why;

        @Override
        String landsWith() {
            return "the per-account safety valves (pause item)";
        }
    }

    @Command(name = "resume", description = "Resume one account's outbound sync (lands with the safety valves)")
    static final class Resume extends NotYet {
        @Parameters(index = "0", description = "system") String system;
        @Parameters(index = "1", description = "account") String account;
        @picocli.CommandLine.Option(names = "--why", required = true) String why;

        @Override
        String landsWith() {
            return "the per-account safety valves (pause item)";
        }
    }

    @Command(name = "breaker", description = "Show or reset an account's circuit breaker (lands with the safety valves)")
    static final class Breaker extends NotYet {
        @Parameters(index = "0", description = "show | reset") String action;
        @Parameters(index = "1", description = "system") String system;
        @Parameters(index = "2", description = "account") String account;
        @picocli.CommandLine.Option(names = "--why") String why;

        @Override
        String landsWith() {
            return "the per-account safety valves (BREAKER# items)";
        }
    }

    @Command(name = "resync", description = "Force a full resync of one job (lands with the reconciler)")
    static final class Resync extends NotYet {
        @Parameters(index = "0", description = "job system:account:resource") String job;
        @picocli.CommandLine.Option(names = "--why", required = true) String why;

        @Override
        String landsWith() {
            return "the reconciler (watermark status/cursor)";
        }
    }
}
