package io.loopfree.sync.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import io.loopfree.sync.adapters.dynamodb.WatermarkItemMapper;
import io.loopfree.sync.domain.reconcile.ReconcileJob;
import io.loopfree.sync.domain.reconcile.Watermark;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Every WATERMARK item of the state table, read with the reconciler's own mapper, with its staleness (now − the
 * start of the last completed run; the alarm fires past 4× the schedule's interval). One Scan, filtered.
 */
@Command(name = "watermarks", description = "List reconciliation watermarks and their staleness")
final class WatermarksCommand implements Callable<Integer> {

    @ParentCommand LoopfreeOps root;
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try (OpsContext ops = root.context(spec.commandLine().getOut())) {
            Instant now = ops.clock.instant();
            ops.out.printf("%-44s %-26s %-10s %-16s %-26s %-7s %s%n", "JOB (tenant/system/account/resource)",
                    "LAST SUCCESSFUL", "STALENESS", "STATUS", "LAST ATTEMPTED", "RESYNC", "REASON");
            int count = 0;
            for (Map<String, AttributeValue> item : ops.dynamo().scanPaginator(b -> b.tableName(ops.stateTable)
                    .filterExpression("begins_with(pk, :w)")
                    .expressionAttributeValues(Map.of(":w", AttributeValue.fromS("WATERMARK#")))).items()) {
                Optional<ReconcileJob> job = WatermarkItemMapper.job(item);
                if (job.isEmpty()) {
                    continue;
                }
                Optional<Watermark> watermark = WatermarkItemMapper.fromItem(job.get(), item);
                Optional<Instant> last = watermark.flatMap(Watermark::lastSuccessful);
                ops.out.printf("%-44s %-26s %-10s %-16s %-26s %-7s %s%n", job.get().label(),
                        last.map(Instant::toString).orElse("never"),
                        last.map(w -> human(Duration.between(w, now))).orElse("-"),
                        watermark.map(w -> w.status().name()).orElse("-"),
                        watermark.flatMap(Watermark::lastAttempted).map(Instant::toString).orElse("-"),
                        WatermarkItemMapper.resyncRequested(item) ? "asked" : "-",
                        watermark.flatMap(Watermark::reason).orElse(""));
                count++;
            }
            ops.out.println(count + " watermark(s)");
        }
        return 0;
    }

    static String human(Duration d) {
        long s = Math.max(0, d.getSeconds());
        return s >= 86400 ? (s / 86400) + "d" + (s % 86400 / 3600) + "h" : s >= 3600 ? (s / 3600) + "h" + (s % 3600 / 60) + "m"
                : s >= 60 ? (s / 60) + "m" + (s % 60) + "s" : s + "s";
    }
}
