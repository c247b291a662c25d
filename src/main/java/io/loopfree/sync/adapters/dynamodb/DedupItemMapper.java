package io.loopfree.sync.adapters.dynamodb;

import java.time.Instant;
import java.util.Map;

import io.loopfree.sync.domain.dedup.EventKey;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The dedup item, shaped for people reading the console:
 * <pre>
 * pk=EVENT#app#acme#msg_2Kp  type=DEDUP  system=app  tenant=acme  eventId=msg_2Kp
 * firstSeenAt=2026-11-20T10:00:05Z  expiresAt=1795427205 (TTL)  expiresAtIso=2026-11-23T10:00:05Z
 * </pre>
 */
final class DedupItemMapper {

    static final String PK = "pk";
    static final String TYPE = "type";
    static final String TYPE_DEDUP = "DEDUP";
    static final String FIRST_SEEN_AT = "firstSeenAt";
    /** The table's TTL attribute (epoch seconds); infra enables TTL on exactly this name. */
    static final String EXPIRES_AT = "expiresAt";
    static final String EXPIRES_AT_ISO = "expiresAtIso";

    private DedupItemMapper() {
    }

    static Map<String, AttributeValue> toItem(EventKey key, Instant firstSeenAt, Instant expiresAt) {
        return Map.of(
                PK, s(key.asItemKey()),
                TYPE, s(TYPE_DEDUP),
                "system", s(key.system()),
                "tenant", s(key.tenant()),
                "eventId", s(key.eventId()),
                FIRST_SEEN_AT, s(IsoTimestamps.format(firstSeenAt)),
                EXPIRES_AT, n(expiresAt.getEpochSecond()),
                EXPIRES_AT_ISO, s(IsoTimestamps.format(expiresAt)));
    }

    static Instant firstSeenAt(Map<String, AttributeValue> item) {
        AttributeValue value = item.get(FIRST_SEEN_AT);
        return value == null ? Instant.EPOCH : IsoTimestamps.parse(value.s());
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
