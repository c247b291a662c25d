package io.loopfree.sync.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Echo drops and outbound writes per account over a window, from what the tables hold: the events table's DONE
 * dedup items (their outcome and finishedAt; per system and tenant — the dedup item names no account) and the
 * state table's record states, whose {@code direction=outbound} entries are our last write per record and system
 * (per system and account: a lower bound, a record written twice counts once). Two Scans: for incidents, not
 * dashboards (the CloudWatch metrics are those).
 */
@Command(name = "rates", description = "Echo drops and outbound writes per account over the last window")
final class RatesCommand implements Callable<Integer> {

    @ParentCommand LoopfreeOps root;
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @Option(names = "--last", defaultValue = "1h", description = "window: 15m, 1h, 24h…") String last;

    @Override
    public Integer call() {
        try (OpsContext ops = root.context(spec.commandLine().getOut())) {
            Duration window = Duration.parse("PT" + last.toUpperCase(java.util.Locale.ROOT));
            String since = ops.clock.instant().minus(window).toString();
            Map<String, long[]> drops = new TreeMap<>(); // system/tenant -> [echo drops, duplicates, applied, other]
            for (Map<String, AttributeValue> item : ops.dynamo().scanPaginator(b -> b.tableName(ops.eventsTable)
                    .filterExpression("#type = :dedup AND #status = :done AND finishedAt >= :since")
                    .expressionAttributeNames(Map.of("#type", "type", "#status", "status"))
                    .expressionAttributeValues(Map.of(":dedup", AttributeValue.fromS("DEDUP"), ":done",
                            AttributeValue.fromS("DONE"), ":since", AttributeValue.fromS(since)))).items()) {
                String outcome = String.valueOf(OpsItemMapper.text(item, "outcome"));
                long[] counts = drops.computeIfAbsent(OpsItemMapper.text(item, "system") + "/"
                        + OpsItemMapper.text(item, "tenant"), k -> new long[4]);
                counts[outcome.startsWith("dropped:echo-") ? 0 : outcome.equals("dropped:duplicate") ? 1
                        : outcome.equals("applied") ? 2 : 3]++;
            }
            Map<String, Long> writes = new TreeMap<>(); // system/account -> records written
            for (Map<String, AttributeValue> item : ops.dynamo().scanPaginator(b -> b.tableName(ops.stateTable)
                    .filterExpression("#type = :state").expressionAttributeNames(Map.of("#type", "type"))
                    .expressionAttributeValues(Map.of(":state", AttributeValue.fromS("SYNC_STATE")))).items()) {
                AttributeValue systems = item.get("systems");
                if (systems == null || !systems.hasM()) {
                    continue;
                }
                systems.m().forEach((system, entry) -> {
                    Map<String, AttributeValue> e = entry.m();
                    String synced = OpsItemMapper.text(e, "syncedAt");
                    if ("outbound".equals(OpsItemMapper.text(e, "direction")) && synced != null
                            && synced.compareTo(since) >= 0) {
                        writes.merge(system + "/" + OpsItemMapper.text(e, "account"), 1L, Long::sum);
                    }
                });
            }
            ops.out.println("since " + since + " (last " + last + ")");
            ops.out.printf("%-40s %10s %10s %10s %10s%n", "INBOUND system/tenant", "ECHO DROPS", "DUPLICATES",
                    "APPLIED", "OTHER");
            drops.forEach((k, c) -> ops.out.printf("%-40s %10d %10d %10d %10d%n", k, c[0], c[1], c[2], c[3]));
            ops.out.printf("%-40s %10s%n", "OUTBOUND system/account", "RECORDS WRITTEN");
            writes.forEach((k, n) -> ops.out.printf("%-40s %10d%n", k, n));
        }
        return 0;
    }
}
