package io.loopfree.sync.domain.change;

import java.time.Instant;
import java.util.Objects;

/**
 * The unified, normalized form of "record R changed in system S", whatever the provider's payload looked like.
 *
 * @param eventId      the provider's id of this event (dedup key), e.g. HubSpot {@code eventId}, Stripe {@code evt_…}
 * @param account      the tenant's account on that system (HubSpot portal, Stripe account, Shopify shop…)
 * @param resource     the resource type the mapping assigned, e.g. {@code contact}, {@code order}
 * @param recordId     the record's id in {@code system}
 * @param canonicalKey the record's key across systems when the payload carries it (our external id, e.g.
 *                     {@code loopfree_id}); null otherwise: the identity link of (system, record id) names it, else
 *                     it is {@code <system>:<recordId>}
 * @param changeAgent  the change-agent / origin tag the change carries, if any (ours marks an echo)
 * @param skinny       the payload names the record but carries no fields; they must be fetched
 * @param partial      {@code fields} holds only what changed (HubSpot property change, Salesforce CDC update);
 *                     otherwise it is the whole tracked state
 * @param fields       tracked fields, normalized; empty when skinny
 * @param merged       the ids (in {@code system}) of records merged into this one (HubSpot {@code contact.merge},
 *                     a Salesforce delete with {@code MasterRecordId}): their links are re-pointed here, nothing is
 *                     created or deleted elsewhere; empty for every other change
 */
public record Change(
        String eventId,
        String system,
        String tenant,
        String account,
        String resource,
        String recordId,
        String canonicalKey,
        Instant occurredAt,
        Actor actor,
        String changeAgent,
        boolean deleted,
        boolean skinny,
        boolean partial,
        FieldSet fields,
        java.util.List<String> merged) {

    public Change(String eventId, String system, String tenant, String account, String resource, String recordId,
            String canonicalKey, Instant occurredAt, Actor actor, String changeAgent, boolean deleted, boolean skinny,
            boolean partial, FieldSet fields) {
        this(eventId, system, tenant, account, resource, recordId, canonicalKey, occurredAt, actor, changeAgent,
                deleted, skinny, partial, fields, java.util.List.of());
    }

    public Change {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(system, "system");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(recordId, "recordId");
        Objects.requireNonNull(occurredAt, "occurredAt");
        actor = actor == null ? Actor.UNKNOWN : actor;
        fields = fields == null ? FieldSet.EMPTY : fields;
        merged = merged == null ? java.util.List.of() : java.util.List.copyOf(merged);
    }

    public boolean isMerge() {
        return !merged.isEmpty();
    }

    /** The same change with the fields of the record as fetched from its system (a skinny change made whole). */
    public Change withFetched(String canonicalKey, Instant occurredAt, boolean deleted, FieldSet fields) {
        return new Change(eventId, system, tenant, account, resource, recordId,
                canonicalKey != null ? canonicalKey : this.canonicalKey, occurredAt, actor, changeAgent, deleted,
                false, false, fields, merged);
    }

    /** How the record appears in logs: {@code contact/42}. */
    public String recordLabel() {
        return resource + "/" + recordId;
    }
}
