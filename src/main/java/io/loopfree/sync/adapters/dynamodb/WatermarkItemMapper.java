package io.loopfree.sync.adapters.dynamodb;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import io.loopfree.sync.domain.reconcile.ReconcileJob;
import io.loopfree.sync.domain.reconcile.Watermark;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The watermark item (state table, never expires):
 * <pre>
 * pk=WATERMARK#hubspot#portal-42#contact  sk=WATERMARK  type=WATERMARK  system=hubspot  account=portal-42
 * resource=contact  watermark=2026-11-20T10:00:00Z  lastRunStartedAt=2026-11-20T10:00:00Z
 * lastRunStatus=SUCCEEDED  runs=12
 * </pre>
 */
final class WatermarkItemMapper {

    static final String PK = "pk";
    static final String SK = "sk";
    static final String SK_WATERMARK = "WATERMARK";
    static final String LAST_RUN_STARTED_AT = "lastRunStartedAt";

    private WatermarkItemMapper() {
    }

    static Map<String, AttributeValue> key(ReconcileJob job) {
        return Map.of(PK, AttributeValue.fromS(job.asItemKey()), SK, AttributeValue.fromS(SK_WATERMARK));
    }

    static Map<String, AttributeValue> toItem(Watermark watermark) {
        Map<String, AttributeValue> item = new HashMap<>(key(watermark.job()));
        item.put("type", AttributeValue.fromS("WATERMARK"));
        item.put("system", AttributeValue.fromS(watermark.job().system()));
        item.put("account", AttributeValue.fromS(watermark.job().account()));
        item.put("resource", AttributeValue.fromS(watermark.job().resource()));
        watermark.watermark().ifPresent(w -> item.put("watermark", AttributeValue.fromS(IsoTimestamps.format(w))));
        item.put(LAST_RUN_STARTED_AT, lastRunStartedAt(watermark));
        item.put("lastRunStatus", AttributeValue.fromS(watermark.lastRunStatus().name()));
        item.put("runs", AttributeValue.fromN(Long.toString(watermark.runs())));
        return item;
    }

    static AttributeValue lastRunStartedAt(Watermark watermark) {
        return AttributeValue.fromS(IsoTimestamps.format(watermark.lastRunStartedAt()));
    }

    static Watermark fromItem(ReconcileJob job, Map<String, AttributeValue> item) {
        Optional<Instant> watermark = Optional.ofNullable(item.get("watermark")).map(v -> IsoTimestamps.parse(v.s()));
        return new Watermark(job, watermark,
                IsoTimestamps.parse(item.get(LAST_RUN_STARTED_AT).s()),
                Watermark.RunStatus.valueOf(item.get("lastRunStatus").s()),
                Long.parseLong(item.get("runs").n()));
    }
}
