package io.loopfree.sync.ops;

import java.io.PrintWriter;
import java.net.URI;
import java.time.Clock;
import java.util.Optional;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code loopfree-ops}: the operator's command line (docs/RUNBOOK.md). Works against AWS (default credentials
 * chain, the deployed table and queue names) and against the local run ({@code --endpoint http://127.0.0.1:8000}
 * for DynamoDB Local, {@code --sqs-endpoint http://127.0.0.1:9324} for ElasticMQ).
 *
 * <p>Built by the same Maven build but never part of {@code function.zip}: it lives beside the local engine and the
 * benchmarks (test sources, picocli test-scoped) and runs with {@code bin/loopfree-ops …} (or
 * {@code LOOPFREE_OPS_ARGV=… ./mvnw -q -o -Pops}); so the functions neither carry nor load it.
 *
 * <p>Every state-changing command is a conditional write in one transaction with an audit item
 * ({@code pk=AUDIT#<date>}); {@link SafetyValveCommands}: {@code pause}, {@code resume}, {@code breaker show|reset},
 * {@code resync}; {@link ConflictCommands}: {@code conflicts resolve}.
 */
@Command(name = "loopfree-ops", mixinStandardHelpOptions = true, version = "loopfree-ops 0.1",
        description = "Inspect and repair loopfree-sync: record history, outbox, dead letters, watermarks, rates, "
                + "pause/resume, breakers, forced resync, conflicts.",
        subcommands = { RecordCommands.class, OutboxCommands.class, DlqCommands.class, WatermarksCommand.class,
            RatesCommand.class, SafetyValveCommands.Pause.class, SafetyValveCommands.Resume.class,
            SafetyValveCommands.BreakerCommands.class, SafetyValveCommands.Resync.class, ConflictCommands.class })
public final class LoopfreeOps {

    @Option(names = "--endpoint", scope = CommandLine.ScopeType.INHERIT,
            description = "DynamoDB and SQS endpoint (local run); both default to AWS")
    URI endpoint;

    @Option(names = "--dynamodb-endpoint", scope = CommandLine.ScopeType.INHERIT, description = "DynamoDB only")
    URI dynamoEndpoint;

    @Option(names = "--sqs-endpoint", scope = CommandLine.ScopeType.INHERIT, description = "SQS only")
    URI sqsEndpoint;

    @Option(names = "--region", scope = CommandLine.ScopeType.INHERIT, defaultValue = "${env:AWS_REGION}",
            description = "AWS region (default: AWS_REGION, then the SDK's chain)")
    String region;

    @Option(names = "--events-table", scope = CommandLine.ScopeType.INHERIT,
            defaultValue = "${env:SYNC_TABLES_EVENTS:-loopfree-events}")
    String eventsTable;

    @Option(names = "--state-table", scope = CommandLine.ScopeType.INHERIT,
            defaultValue = "${env:SYNC_TABLES_STATE:-loopfree-state}")
    String stateTable;

    @Option(names = "--queue-url", scope = CommandLine.ScopeType.INHERIT, defaultValue = "${env:SYNC_QUEUE_URL}",
            description = "the processing queue (DLQ redrive target)")
    String queueUrl;

    @Option(names = "--dlq-url", scope = CommandLine.ScopeType.INHERIT, defaultValue = "${env:LOOPFREE_DLQ_URL}",
            description = "the dead-letter queue")
    String dlqUrl;

    @Option(names = "--as", scope = CommandLine.ScopeType.INHERIT, defaultValue = "${env:USER:-unknown}",
            description = "who acts (written in audit items; default: $USER)")
    String who;

    public static void main(String[] args) {
        if (args.length == 0 && System.getenv("LOOPFREE_OPS_ARGV") != null) {
            // bin/loopfree-ops passes the arguments one per line in the environment: Maven's command line (which
            // Quarkus' code generation re-parses) never sees them, so options like --why and quoted text survive
            args = System.getenv("LOOPFREE_OPS_ARGV").split("\n", -1);
        }
        if (args.length == 0) {
            args = new String[] { "--help" };
        }
        System.exit(run(Clock.systemUTC(), new PrintWriter(System.out, true), new PrintWriter(System.err, true),
                args));
    }

    /** Runs one command line; the exit code: 0 done, 1 usage, 2 refused (a condition failed, nothing to do). */
    public static int run(Clock clock, PrintWriter out, PrintWriter err, String... args) {
        CommandLine line = new CommandLine(new LoopfreeOps());
        line.setOut(out).setErr(err);
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("loopfree-ops: " + Optional.ofNullable(e.getMessage()).orElse(e.toString()));
            return e instanceof OpsContext.OpsException ? 2 : 3;
        });
        CLOCK.set(clock);
        try {
            return line.execute(args);
        } finally {
            CLOCK.remove();
        }
    }

    static final ThreadLocal<Clock> CLOCK = ThreadLocal.withInitial(Clock::systemUTC);

    OpsContext context(PrintWriter out) {
        return new OpsContext(this, out, CLOCK.get());
    }
}
