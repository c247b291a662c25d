package io.loopfree.sync.adapters.dynamodb;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import io.loopfree.sync.domain.dedup.Claim;
import io.loopfree.sync.domain.dedup.DedupEntry;
import io.loopfree.sync.domain.dedup.EventKey;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The dedup item (events table, TTL), shaped for people reading the console:
 * <pre>
 * pk=EVENT#hubspot#acme#evt_123  type=DEDUP  system=hubspot  tenant=acme  eventId=evt_123  record=contact/42
 * status=DONE  outcome=applied  firstSeenAt=2026-11-20T10:00:30.000Z  finishedAt=2026-11-20T10:00:30.000Z
 * expiresAt=1795428030 (TTL)  expiresAtIso=2026-11-23T10:00:30.000Z
 * </pre>
 * While in progress it also has {@code claimToken}, {@code leaseExpiresAt} (epoch seconds) and
 * {@code leaseExpiresAtIso}.
 */
final class DedupItemMapper {

    static final String PK = "pk";
    static final String TYPE = "type";
    static final String TYPE_DEDUP = "DEDUP";
    static final String STATUS = "status";
    static final String OUTCOME = "outcome";
    static final String FIRST_SEEN_AT = "firstSeenAt";
    static final String FINISHED_AT = "finishedAt";
    static final String CLAIM_TOKEN = "claimToken";
    static final String LEASE_EXPIRES_AT = "leaseExpiresAt";
    static final String LEASE_EXPIRES_AT_ISO = "leaseExpiresAtIso";
    /** The table's TTL attribute (epoch seconds); infra enables TTL on exactly this name. */
    static final String EXPIRES_AT = "expiresAt";
    static final String EXPIRES_AT_ISO = "expiresAtIso";

    /**
     * A delivery may write the entry when there is none, when it is past its TTL (DynamoDB deletes lazily), or
     * when it is in progress under a lease that ran out (its holder crashed).
     */
    static final String CLAIMABLE = "attribute_not_exists(#pk) OR #expiresAt <= :now"
            + " OR (#status = :inProgress AND #lease <= :now)";
    static final String HELD_BY_US = "#claimToken = :token";

    private DedupItemMapper() {
    }

    static Map<String, AttributeValue> key(EventKey key) {
        return Map.of(PK, s(key.asItemKey()));
    }

    static Map<String, AttributeValue> done(EventKey key, String outcome, Instant now, Instant expiresAt) {
        Map<String, AttributeValue> item = common(key, now, expiresAt);
        item.put(STATUS, s(DedupEntry.Status.DONE.name()));
        item.put(OUTCOME, s(outcome));
        item.put(FINISHED_AT, s(IsoTimestamps.format(now)));
        return item;
    }

    static Map<String, AttributeValue> inProgress(EventKey key, Claim claim, String recordLabel, Instant now,
            Instant expiresAt) {
        Map<String, AttributeValue> item = common(key, now, expiresAt);
        item.put(STATUS, s(DedupEntry.Status.IN_PROGRESS.name()));
        item.put("record", s(recordLabel));
        item.put(CLAIM_TOKEN, s(claim.token()));
        item.put(LEASE_EXPIRES_AT, n(claim.leaseExpiresAt().getEpochSecond()));
        item.put(LEASE_EXPIRES_AT_ISO, s(IsoTimestamps.format(claim.leaseExpiresAt())));
        return item;
    }

    private static Map<String, AttributeValue> common(EventKey key, Instant now, Instant expiresAt) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, s(key.asItemKey()));
        item.put(TYPE, s(TYPE_DEDUP));
        item.put("system", s(key.system()));
        item.put("tenant", s(key.tenant()));
        item.put("eventId", s(key.eventId()));
        item.put(FIRST_SEEN_AT, s(IsoTimestamps.format(now)));
        item.put(EXPIRES_AT, n(expiresAt.getEpochSecond()));
        item.put(EXPIRES_AT_ISO, s(IsoTimestamps.format(expiresAt)));
        return item;
    }

    static Map<String, String> claimableNames() {
        return Map.of("#pk", PK, "#expiresAt", EXPIRES_AT, "#status", STATUS, "#lease", LEASE_EXPIRES_AT);
    }

    static Map<String, AttributeValue> claimableValues(Instant now) {
        return Map.of(":now", n(now.getEpochSecond()), ":inProgress", s(DedupEntry.Status.IN_PROGRESS.name()));
    }

    /** The entry, or empty when there is none or its TTL has passed. */
    static Optional<DedupEntry> liveEntry(Map<String, AttributeValue> item, Instant now) {
        if (item == null || item.isEmpty() || !item.containsKey(PK)) {
            return Optional.empty();
        }
        AttributeValue expiresAt = item.get(EXPIRES_AT);
        if (expiresAt != null && Long.parseLong(expiresAt.n()) <= now.getEpochSecond()) {
            return Optional.empty();
        }
        return Optional.of(fromItem(item));
    }

    static DedupEntry fromItem(Map<String, AttributeValue> item) {
        AttributeValue status = item.get(STATUS);
        AttributeValue lease = item.get(LEASE_EXPIRES_AT);
        return new DedupEntry(
                // an item without status predates the in-progress design: it was written once processing was done
                status == null ? DedupEntry.Status.DONE : DedupEntry.Status.valueOf(status.s()),
                item.containsKey(FIRST_SEEN_AT) ? IsoTimestamps.parse(item.get(FIRST_SEEN_AT).s()) : Instant.EPOCH,
                lease == null ? null : Instant.ofEpochSecond(Long.parseLong(lease.n())),
                item.containsKey(CLAIM_TOKEN) ? item.get(CLAIM_TOKEN).s() : null,
                item.containsKey(OUTCOME) ? item.get(OUTCOME).s() : null);
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
