package io.loopfree.sync.adapters.dynamodb;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.loopfree.sync.domain.reconcile.MatchRun;
import io.loopfree.sync.ports.MatchStore;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Initial matching's items.
 * <pre>
 * state table, never expires — the connection's matching (lease, checkpoint, counts):
 *   pk=MATCHING#acme#contact  sk=MATCHING  type=MATCHING  runId=…  startedAt=…  status=running|completed|failed
 *   phase=index|match  system=0  cursor=…  after=…  indexed=… unkeyed=… matched=… unmatched=… ambiguous=… known=…
 *   reason=…  leaseOwner=…  leaseUntil=…
 * state table, never expires — what an operator must look at (one item per key, replaced by a later run):
 *   pk=MATCHREPORT#acme#contact  sk=<key, readable>  type=MATCHREPORT  kind=ambiguous|known  reason=…
 *   records=[ app:c_1, app:c_9, sandbox-rich:r_4 ]  runId=…  reportedAt=…
 * state table, removed as read — the run's index of listed records, read back in key order (each group's items
 * deleted once it is decided; expiresAt is set too, for a table with TTL, in case a run is abandoned):
 *   pk=MATCHIDX#acme#contact#<runId>  sk=<sha-256 of the key>#<system>#<recordId>  key=…  system=…  recordId=…
 *   updatedAt=…  body=<the listed record, JSON>  expiresAt=<epoch s>
 * </pre>
 */
final class MatchItemMapper {

    static final String SK_MATCHING = "MATCHING";
    static final String LEASE_OWNER = "leaseOwner";
    static final String LEASE_UNTIL = "leaseUntil";
    static final int MAX_REPORT_KEY = 512;
    static final int MAX_REPORT_RECORDS = 50;

    private MatchItemMapper() {
    }

    static Map<String, AttributeValue> runKey(String tenant, String resource) {
        return Map.of("pk", AttributeValue.fromS("MATCHING#" + tenant + "#" + resource),
                "sk", AttributeValue.fromS(SK_MATCHING));
    }

    static Map<String, AttributeValue> toItem(MatchRun run) {
        Map<String, AttributeValue> item = new HashMap<>(runKey(run.tenant(), run.resource()));
        item.put("type", AttributeValue.fromS("MATCHING"));
        item.put("tenant", AttributeValue.fromS(run.tenant()));
        item.put("resource", AttributeValue.fromS(run.resource()));
        item.put("runId", AttributeValue.fromS(run.runId()));
        item.put("startedAt", AttributeValue.fromS(IsoTimestamps.format(run.startedAt())));
        item.put("status", AttributeValue.fromS(run.status().name()));
        item.put("phase", AttributeValue.fromS(run.phase().name()));
        item.put("system", number(run.system()));
        run.cursor().ifPresent(c -> item.put("cursor", AttributeValue.fromS(c)));
        run.after().ifPresent(a -> item.put("after", AttributeValue.fromS(a)));
        MatchRun.Counts c = run.counts();
        item.put("indexed", number(c.indexed()));
        item.put("unkeyed", number(c.unkeyed()));
        item.put("matched", number(c.matched()));
        item.put("unmatched", number(c.unmatched()));
        item.put("ambiguous", number(c.ambiguous()));
        item.put("known", number(c.known()));
        run.reason().ifPresent(r -> item.put("reason", AttributeValue.fromS(r)));
        return item;
    }

    static Optional<MatchRun> fromItem(Map<String, AttributeValue> item) {
        if (item == null || !item.containsKey("runId")) {
            return Optional.empty(); // never ran (or only a lease was taken)
        }
        return Optional.of(new MatchRun(text(item, "tenant"), text(item, "resource"), text(item, "runId"),
                IsoTimestamps.parse(text(item, "startedAt")), MatchRun.Status.valueOf(text(item, "status")),
                MatchRun.Phase.valueOf(text(item, "phase")), (int) number(item, "system"),
                Optional.ofNullable(text(item, "cursor")), Optional.ofNullable(text(item, "after")),
                new MatchRun.Counts(number(item, "indexed"), number(item, "unkeyed"), number(item, "matched"),
                        number(item, "unmatched"), number(item, "ambiguous"), number(item, "known")),
                Optional.ofNullable(text(item, "reason"))));
    }

    static String indexPk(MatchRun run) {
        return "MATCHIDX#" + run.tenant() + "#" + run.resource() + "#" + run.runId();
    }

    static String indexSk(MatchStore.IndexEntry entry) {
        return entry.digest() + "#" + entry.system() + "#" + entry.recordId();
    }

    static Map<String, AttributeValue> indexItem(MatchRun run, MatchStore.IndexEntry entry, Instant expiresAt) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", AttributeValue.fromS(indexPk(run)));
        item.put("sk", AttributeValue.fromS(indexSk(entry)));
        item.put("type", AttributeValue.fromS("MATCHIDX"));
        item.put("digest", AttributeValue.fromS(entry.digest()));
        item.put("key", AttributeValue.fromS(entry.key()));
        item.put("system", AttributeValue.fromS(entry.system()));
        item.put("recordId", AttributeValue.fromS(entry.recordId()));
        item.put("updatedAt", AttributeValue.fromS(entry.updatedAt()));
        item.put("body", AttributeValue.fromS(entry.body()));
        item.put(DedupItemMapper.EXPIRES_AT, AttributeValue.fromN(Long.toString(expiresAt.getEpochSecond())));
        return item;
    }

    static MatchStore.IndexEntry indexEntry(Map<String, AttributeValue> item) {
        return new MatchStore.IndexEntry(text(item, "digest"), text(item, "key"), text(item, "system"),
                text(item, "recordId"), text(item, "updatedAt"), text(item, "body"));
    }

    static Map<String, AttributeValue> reportItem(MatchRun run, String kind, String key, String reason,
            List<String> records, Instant now) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", AttributeValue.fromS("MATCHREPORT#" + run.tenant() + "#" + run.resource()));
        item.put("sk", AttributeValue.fromS(key.length() > MAX_REPORT_KEY ? key.substring(0, MAX_REPORT_KEY) : key));
        item.put("type", AttributeValue.fromS("MATCHREPORT"));
        item.put("kind", AttributeValue.fromS(kind));
        item.put("reason", AttributeValue.fromS(reason));
        item.put("records", AttributeValue.fromL(records.stream().limit(MAX_REPORT_RECORDS)
                .map(AttributeValue::fromS).toList()));
        item.put("runId", AttributeValue.fromS(run.runId()));
        item.put("reportedAt", AttributeValue.fromS(IsoTimestamps.format(now)));
        return item;
    }

    private static AttributeValue number(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    private static long number(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? 0 : Long.parseLong(value.n());
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }
}
