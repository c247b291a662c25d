package io.loopfree.sync.ops;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

import io.loopfree.sync.adapters.dynamodb.BreakerItemMapper;
import io.loopfree.sync.adapters.dynamodb.WatermarkItemMapper;
import io.loopfree.sync.adapters.dynamodb.WriteCountItemMapper;
import io.loopfree.sync.domain.reconcile.ReconcileJob;
import io.loopfree.sync.domain.valve.AccountKey;
import io.loopfree.sync.domain.valve.Breaker;
import io.loopfree.sync.domain.valve.LoopDetector;
import io.loopfree.sync.domain.valve.WindowKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * The per-account safety valves and the forced resync, on the items the engine itself reads: the account's breaker
 * item ({@code BREAKER#<tenant>#<system>#<account>}, {@link BreakerItemMapper}) and the job's watermark item
 * ({@code WATERMARK#…}, {@link WatermarkItemMapper}). Every change is the main code's conditional update in one
 * transaction with the audit item ({@link OpsItemMapper#auditItem}), like {@link OutboxCommands}: a condition that
 * fails writes neither (exit code 2, nothing done).
 */
final class SafetyValveCommands {

    private SafetyValveCommands() {
    }

    /** One conditional update and its audit item, together or not at all. */
    static String audited(OpsContext ops, Update update, String action, String target, String why, String before,
            String after, String refusal) {
        return audited(ops, List.of(TransactWriteItem.builder().update(update).build()), action, target, why, before,
                after, refusal);
    }

    static String audited(OpsContext ops, List<TransactWriteItem> changes, String action, String target, String why,
            String before, String after, String refusal) {
        OpsItemMapper.Audit audit = new OpsItemMapper.Audit(UUID.randomUUID().toString(), ops.clock.instant(), ops.who,
                action, ops.stateTable + ":" + target, why, before, after);
        Map<String, AttributeValue> auditItem = OpsItemMapper.auditItem(audit);
        try {
            List<TransactWriteItem> items = new java.util.ArrayList<>(changes);
            items.add(TransactWriteItem.builder().put(p -> p.tableName(ops.stateTable).item(auditItem)
                    .conditionExpression("attribute_not_exists(pk)")).build());
            ops.dynamo().transactWriteItems(b -> b.transactItems(items));
        } catch (TransactionCanceledException e) {
            throw new OpsContext.OpsException(refusal + ": nothing done");
        }
        return "audit " + auditItem.get("pk").s() + " / " + auditItem.get("sk").s();
    }

    /** {@code 90s}, {@code 5m}, {@code 1h}, {@code 7d} (as the engine's settings are written). */
    static java.time.Duration duration(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)([smhd])").matcher(text.strip());
        if (!m.matches()) {
            throw new OpsContext.OpsException("a duration is <number><s|m|h|d>, got '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> java.time.Duration.ofSeconds(n);
            case "m" -> java.time.Duration.ofMinutes(n);
            case "h" -> java.time.Duration.ofHours(n);
            default -> java.time.Duration.ofDays(n);
        };
    }

    static Breaker read(OpsContext ops, AccountKey key) {
        var response = ops.dynamo().getItem(b -> b.tableName(ops.stateTable).key(BreakerItemMapper.key(key))
                .consistentRead(true));
        return BreakerItemMapper.fromItem(key, response.hasItem() ? response.item() : null);
    }

    abstract static class AccountCommand implements Callable<Integer> {
        @ParentCommand LoopfreeOps root;
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0", description = "tenant") String tenant;
        @Parameters(index = "1", description = "system") String system;
        @Parameters(index = "2", description = "account (the provider's account id)") String account;

        AccountKey key() {
            return new AccountKey(tenant, system, account);
        }
    }

    /**
     * Stops every outbound write to the account (processor, drains, the reconciler's listing); its changes are still
     * received and applied, their writes wait pending in the outbox.
     */
    @Command(name = "pause", description = "Pause one account's outbound sync (paused=true on its breaker item); audited")
    static final class Pause extends AccountCommand {
        @Option(names = "--why", required = true, description = "why (kept in the audit item)") String why;

        @Override
        public Integer call() {
            return flip(this, true, why);
        }
    }

    /**
     * Lifts the pause. The writes that waited are sent once by the next message for the account or the account's
     * next reconciler run (a closed, unpaused breaker with held writes is drained).
     */
    @Command(name = "resume", description = "Resume one account's outbound sync (paused=false); audited")
    static final class Resume extends AccountCommand {
        @Option(names = "--why", required = true, description = "why (kept in the audit item)") String why;

        @Override
        public Integer call() {
            return flip(this, false, why);
        }
    }

    static int flip(AccountCommand command, boolean paused, String why) {
        try (OpsContext ops = command.root.context(command.spec.commandLine().getOut())) {
            AccountKey key = command.key();
            String target = BreakerItemMapper.partitionKey(key);
            String audit = audited(ops, BreakerItemMapper.pauseSwitch(ops.stateTable, key, paused, ops.clock.instant()),
                    paused ? "pause" : "resume", target, why, "paused=" + !paused, "paused=" + paused,
                    key.label() + " is " + (paused ? "already paused" : "not paused"));
            Breaker now = read(ops, key);
            ops.out.println(key.label() + ": " + (paused ? "paused" : "resumed") + " (" + audit + ")");
            ops.out.println("breaker " + now.state() + ", heldWrites " + now.heldWrites()
                    + (paused ? "" : now.state() == Breaker.State.closed
                            ? "; held writes are sent by the account's next message or reconciler run"
                            : "; the breaker is still " + now.state() + ": writes wait for its probe (breaker reset)"));
        }
        return 0;
    }

    @Command(name = "breaker", description = "Show or reset an account's circuit breaker",
            subcommands = { Show.class, Reset.class })
    static final class BreakerCommands {
        @ParentCommand LoopfreeOps root;
    }

    @Command(name = "show", description = "Show an account's breaker: state, pause, reason, reopen time, held writes")
    static final class Show implements Callable<Integer> {
        @ParentCommand BreakerCommands parent;
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0") String tenant;
        @Parameters(index = "1") String system;
        @Parameters(index = "2") String account;

        @Override
        public Integer call() {
            try (OpsContext ops = parent.root.context(spec.commandLine().getOut())) {
                AccountKey key = new AccountKey(tenant, system, account);
                Breaker b = read(ops, key);
                ops.out.println(BreakerItemMapper.partitionKey(key));
                ops.out.printf("  %-11s %s%n", "state", b.state());
                ops.out.printf("  %-11s %s%n", "paused", b.paused());
                ops.out.printf("  %-11s %s%n", "reason", b.reason());
                ops.out.printf("  %-11s %s%n", "openedAt", b.openedAt().map(Instant::toString).orElse(""));
                ops.out.printf("  %-11s %s%n", "reopenAt", b.reopenAt().map(Instant::toString).orElse(""));
                ops.out.printf("  %-11s %d%n", "trips", b.trips());
                ops.out.printf("  %-11s %s%n", "lastUsage", b.usage());
                ops.out.printf("  %-11s %s%n", "probe", b.probeToken().map(t -> "held until "
                        + b.probeUntil().map(Instant::toString).orElse("?")).orElse("none"));
                ops.out.printf("  %-11s %d%n", "heldWrites", b.heldWrites());
            }
            return 0;
        }
    }

    /** Closes an open (or half-open) breaker now, instead of waiting for its probe: after the cause is fixed. */
    @Command(name = "reset", description = "Close an account's open breaker (trips 0, no probe); audited")
    static final class Reset implements Callable<Integer> {
        @ParentCommand BreakerCommands parent;
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0") String tenant;
        @Parameters(index = "1") String system;
        @Parameters(index = "2") String account;
        @Option(names = "--why", required = true, description = "why (kept in the audit item)") String why;
        @Option(names = "--loop-window", defaultValue = "5m",
                description = "the loop detector's window, as SYNC_VALVES_LOOP_WINDOW (default 5m)") String loopWindow;

        @Override
        public Integer call() {
            try (OpsContext ops = parent.root.context(spec.commandLine().getOut())) {
                AccountKey key = new AccountKey(tenant, system, account);
                Breaker seen = read(ops, key);
                if (seen.state() == Breaker.State.closed) {
                    throw new OpsContext.OpsException(key.label() + ": the breaker is closed: nothing to reset");
                }
                Instant now = ops.clock.instant();
                // the loop detector's current window restarts at 0, or its count would reopen the breaker at once
                java.time.Duration window = duration(loopWindow);
                WindowKey current = new WindowKey(key, LoopDetector.windowStart(now, window));
                List<TransactWriteItem> changes = List.of(
                        TransactWriteItem.builder().update(BreakerItemMapper.operatorReset(ops.stateTable, key, seen,
                                now)).build(),
                        TransactWriteItem.builder().update(WriteCountItemMapper.restart(ops.eventsTable, current,
                                current.start().plus(window.multipliedBy(5)))).build());
                String audit = audited(ops, changes, "breaker reset", BreakerItemMapper.partitionKey(key), why,
                        "state=" + seen.state() + " trips=" + seen.trips() + " reason=" + seen.reason(),
                        "state=closed trips=0", key.label() + ": the breaker changed since it was read; show it again");
                ops.out.println(key.label() + ": breaker " + seen.state() + " -> closed (" + audit + ")"
                        + (seen.paused() ? "; the account is still paused (resume it)" : ""));
            }
            return 0;
        }
    }

    /**
     * Asks for a forced full resync of one job: the job's next reconciler run lists everything (ignoring its
     * watermark and checkpoint) and clears the request. Works wherever the state table is reachable (AWS or the
     * local run): no Lambda invocation. To run it now instead of at the next schedule, invoke the reconciler with
     * {@code {"job": {…}, "forceFullResync": true}} (docs/reconciler.md).
     */
    @Command(name = "resync", description = "Force a full resync of one job at its next reconciler run; audited")
    static final class Resync implements Callable<Integer> {
        @ParentCommand LoopfreeOps root;
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0", description = "job: tenant/system/account/resource (as `watermarks` lists it)")
        String job;
        @Option(names = "--why", required = true, description = "why (kept in the audit item)") String why;

        @Override
        public Integer call() {
            String[] parts = job.split("/", -1);
            if (parts.length != 4) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "a job is tenant/system/account/resource, got '" + job + "'");
            }
            ReconcileJob reconcileJob = new ReconcileJob(parts[0], parts[1], parts[2], parts[3]);
            try (OpsContext ops = root.context(spec.commandLine().getOut())) {
                String audit = audited(ops, WatermarkItemMapper.requestResync(ops.stateTable, reconcileJob,
                        ops.clock.instant()), "resync", reconcileJob.asItemKey(), why, "resyncRequested=false",
                        "resyncRequested=true", reconcileJob.label() + " has never run (its first run is a full sync),"
                                + " a run holds it now (try when it ends), or a resync is already requested; see"
                                + " `watermarks`");
                ops.out.println(reconcileJob.label() + ": full resync requested for its next reconciler run ("
                        + audit + ")");
            }
            return 0;
        }
    }
}
