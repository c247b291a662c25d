package io.loopfree.sync.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Every WATERMARK item of the state table, with its staleness (now − watermark). One Scan, filtered. */
@Command(name = "watermarks", description = "List reconciliation watermarks and their staleness")
final class WatermarksCommand implements Callable<Integer> {

    @ParentCommand LoopfreeOps root;
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try (OpsContext ops = root.context(spec.commandLine().getOut())) {
            Instant now = ops.clock.instant();
            ops.out.printf("%-44s %-26s %-12s %-10s %s%n", "JOB", "WATERMARK", "STALENESS", "LAST RUN", "LAST RUN STARTED");
            int count = 0;
            for (Map<String, AttributeValue> item : ops.dynamo().scanPaginator(b -> b.tableName(ops.stateTable)
                    .filterExpression("begins_with(pk, :w)")
                    .expressionAttributeValues(Map.of(":w", AttributeValue.fromS("WATERMARK#")))).items()) {
                String watermark = OpsItemMapper.text(item, "watermark");
                String staleness = watermark == null ? "never" : human(Duration.between(Instant.parse(watermark), now));
                ops.out.printf("%-44s %-26s %-12s %-10s %s%n", OpsItemMapper.text(item, "pk"), watermark, staleness,
                        OpsItemMapper.text(item, "lastRunStatus"), OpsItemMapper.text(item, "lastRunStartedAt"));
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
