package io.loopfree.sync.domain.outbound;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One write of one record to one target system, in the target's own field names, ready to send.
 *
 * @param externalId     the id we own for this record in every system ({@code loopfree_id}); upserts use it, so a
 *                       create and its retry land on one record, and the create's echo can be recognised
 * @param recordId       the record's id in the target when we know it (null before the first create)
 * @param fields         the target's field names → normalized values (null allowed: clear the field)
 * @param idempotencyKey deterministic: the same write retried carries the same key
 * @param changeAgent    our change-agent tag, sent where the provider takes one
 * @param correlationId  the change that caused this write
 */
public record OutboundWrite(
        OutboundTarget target,
        String resource,
        String canonicalKey,
        String externalId,
        String recordId,
        Action action,
        Map<String, Object> fields,
        String idempotencyKey,
        String changeAgent,
        String correlationId) {

    public enum Action {
        UPSERT,
        DELETE
    }

    public OutboundWrite {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(canonicalKey, "canonicalKey");
        Objects.requireNonNull(externalId, "externalId");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        // values may be null (a cleared field), so no Map.copyOf
        fields = fields == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }
}
