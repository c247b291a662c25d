package io.loopfree.sync.adapters.dynamodb;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import io.loopfree.sync.domain.reconcile.ReconcileJob;
import io.loopfree.sync.domain.reconcile.Watermark;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * The watermark item (state table, never expires), one per sync job:
 * <pre>
 * pk=WATERMARK#acme#hubspot#portal-42#contact  sk=WATERMARK  type=WATERMARK  tenant=acme  system=hubspot
 * account=portal-42  resource=contact  lastSuccessful=2026-11-20T10:00:00.000Z  lastAttempted=2026-11-20T10:15:00.000Z
 * status=completed  recordCount=1042  runs=12
 * [reason=HTTP 429 …]                                       (a run that did not complete says why)
 * [cursor=… cursorSince=… runStartedAt=…]                   (checkpoint: the next run resumes on that page)
 * [leaseOwner=&lt;uuid&gt; leaseUntil=2026-11-20T10:30:00.000Z]   (while a run holds the job)
 * [resyncRequested=true resyncRequestedAt=…]                 (an operator asked for a forced full resync)
 * </pre>
 * A requested resync is honoured by the job's next run (its lease returns the old item) and cleared by that run's
 * finishing PutItem, which writes the item without it. Public for the operations command ({@code loopfree-ops
 * watermarks}, {@code resync}).
 */
public final class WatermarkItemMapper {

    static final String PK = "pk";
    static final String SK = "sk";
    static final String SK_WATERMARK = "WATERMARK";
    static final String LEASE_OWNER = "leaseOwner";
    static final String LEASE_UNTIL = "leaseUntil";
    static final String STATUS = "status";
    static final String LAST_ATTEMPTED = "lastAttempted";
    static final String RUNS = "runs";
    static final String RESYNC_REQUESTED = "resyncRequested";
    static final String RESYNC_REQUESTED_AT = "resyncRequestedAt";

    private WatermarkItemMapper() {
    }

    public static Map<String, AttributeValue> key(ReconcileJob job) {
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
    public static Optional<Watermark> fromItem(ReconcileJob job, Map<String, AttributeValue> item) {
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

    /** The job an item describes (its {@code tenant}, {@code system}, {@code account}, {@code resource}). */
    public static Optional<ReconcileJob> job(Map<String, AttributeValue> item) {
        try {
            return Optional.of(new ReconcileJob(text(item, "tenant"), text(item, "system"), text(item, "account"),
                    text(item, "resource")));
        } catch (IllegalArgumentException incomplete) {
            return Optional.empty();
        }
    }

    /** Whether an operator asked for a forced full resync that no run has honoured yet. */
    public static boolean resyncRequested(Map<String, AttributeValue> item) {
        AttributeValue value = item == null ? null : item.get(RESYNC_REQUESTED);
        return value != null && Boolean.TRUE.equals(value.bool());
    }

    /** When it was asked for, if it was. */
    public static Optional<Instant> resyncRequestedAt(Map<String, AttributeValue> item) {
        return resyncRequested(item) ? instant(item, RESYNC_REQUESTED_AT) : Optional.empty();
    }

    /**
     * The operator's request for a forced full resync, as one conditional update for a transaction with the audit
     * item: only on a job that has run (the item exists: a first run is a full sync anyway, and a mistyped job
     * creates nothing), that no live run holds (its finish would clear the request unhonoured), and that has no
     * request pending.
     */
    public static Update requestResync(String table, ReconcileJob job, Instant now) {
        return Update.builder().tableName(table).key(key(job))
                .updateExpression("SET #resync = :true, #resyncAt = :now")
                .conditionExpression("attribute_exists(#pk) AND (attribute_not_exists(#leaseUntil) OR #leaseUntil < :now)"
                        + " AND attribute_not_exists(#resync)")
                .expressionAttributeNames(Map.of("#pk", PK, "#leaseUntil", LEASE_UNTIL, "#resync", RESYNC_REQUESTED,
                        "#resyncAt", RESYNC_REQUESTED_AT))
                .expressionAttributeValues(Map.of(":true", AttributeValue.fromBool(true), ":now", time(now)))
                .build();
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item == null ? null : item.get(name);
        return value == null ? null : value.s();
    }

    private static Optional<Instant> instant(Map<String, AttributeValue> item, String name) {
        return Optional.ofNullable(item.get(name)).map(v -> IsoTimestamps.parse(v.s()));
    }

    private static long number(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? 0 : Long.parseLong(value.n());
    }
}
