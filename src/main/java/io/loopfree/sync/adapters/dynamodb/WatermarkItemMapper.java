package io.loopfree.sync.adapters.dynamodb;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import io.loopfree.sync.domain.reconcile.ReconcileJob;
import io.loopfree.sync.domain.reconcile.Watermark;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The watermark item (state table, never expires), one per sync job:
 * <pre>
 * pk=WATERMARK#acme#hubspot#portal-42#contact  sk=WATERMARK  type=WATERMARK  tenant=acme  system=hubspot
 * account=portal-42  resource=contact  lastSuccessful=2026-11-20T10:00:00.000Z  lastAttempted=2026-11-20T10:15:00.000Z
 * status=completed  recordCount=1042  runs=12
 * [reason=HTTP 429 …]                                       (a run that did not complete says why)
 * [cursor=… cursorSince=… runStartedAt=…]                   (checkpoint: the next run resumes on that page)
 * [leaseOwner=&lt;uuid&gt; leaseUntil=2026-11-20T10:30:00.000Z]   (while a run holds the job)
 * </pre>
 */
final class WatermarkItemMapper {

    static final String PK = "pk";
    static final String SK = "sk";
    static final String SK_WATERMARK = "WATERMARK";
    static final String LEASE_OWNER = "leaseOwner";
    static final String LEASE_UNTIL = "leaseUntil";
    static final String STATUS = "status";
    static final String LAST_ATTEMPTED = "lastAttempted";
    static final String RUNS = "runs";

    private WatermarkItemMapper() {
    }

    static Map<String, AttributeValue> key(ReconcileJob job) {
        return Map.of(PK, AttributeValue.fromS(job.asItemKey()), SK, AttributeValue.fromS(SK_WATERMARK));
    }

    /** The attributes that describe the job, set by the lease when the item is new. */
    static Map<String, AttributeValue> jobAttributes(ReconcileJob job) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("type", AttributeValue.fromS("WATERMARK"));
        item.put("tenant", AttributeValue.fromS(job.tenant()));
        item.put("system", AttributeValue.fromS(job.system()));
        item.put("account", AttributeValue.fromS(job.account()));
        item.put("resource", AttributeValue.fromS(job.resource()));
        return item;
    }

    static AttributeValue time(Instant instant) {
        return AttributeValue.fromS(IsoTimestamps.format(instant));
    }

    static Map<String, AttributeValue> toItem(Watermark watermark) {
        Map<String, AttributeValue> item = new HashMap<>(key(watermark.job()));
        item.putAll(jobAttributes(watermark.job()));
        watermark.lastSuccessful().ifPresent(w -> item.put("lastSuccessful", time(w)));
        watermark.lastAttempted().ifPresent(w -> item.put(LAST_ATTEMPTED, time(w)));
        item.put(STATUS, AttributeValue.fromS(watermark.status().name()));
        item.put("recordCount", AttributeValue.fromN(Long.toString(watermark.recordCount())));
        item.put(RUNS, AttributeValue.fromN(Long.toString(watermark.runs())));
        watermark.reason().ifPresent(r -> item.put("reason", AttributeValue.fromS(r)));
        watermark.checkpoint().ifPresent(c -> {
            item.put("cursor", AttributeValue.fromS(c.cursor()));
            item.put("cursorSince", time(c.since()));
            item.put("runStartedAt", time(c.runStartedAt()));
        });
        return item;
    }

    /** The state an item holds; empty when it holds none yet (only a lease). */
    static Optional<Watermark> fromItem(ReconcileJob job, Map<String, AttributeValue> item) {
        if (item == null || !item.containsKey(STATUS)) {
            return Optional.empty();
        }
        Optional<Watermark.Checkpoint> checkpoint = Optional.ofNullable(item.get("cursor"))
                .map(c -> new Watermark.Checkpoint(instant(item, "runStartedAt").orElseThrow(),
                        instant(item, "cursorSince").orElseThrow(), c.s()));
        return Optional.of(new Watermark(job, instant(item, "lastSuccessful"), instant(item, LAST_ATTEMPTED),
                Watermark.Status.valueOf(item.get(STATUS).s()), number(item, "recordCount"), checkpoint,
                Optional.ofNullable(item.get("reason")).map(AttributeValue::s), number(item, RUNS)));
    }

    private static Optional<Instant> instant(Map<String, AttributeValue> item, String name) {
        return Optional.ofNullable(item.get(name)).map(v -> IsoTimestamps.parse(v.s()));
    }

    private static long number(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? 0 : Long.parseLong(value.n());
    }
}
