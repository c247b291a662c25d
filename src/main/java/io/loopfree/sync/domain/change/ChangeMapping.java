package io.loopfree.sync.domain.change;

import io.loopfree.sync.domain.envelope.Envelope;

/** One provider's mapping from its payload to a {@link Change} (data: {@code mappings/<system>.json}). */
public interface ChangeMapping {

    String system();

    /**
     * @return the change, or {@link Normalized.Ignored} when the mapping deliberately does not sync this kind of event
     * @throws MappingException when the payload cannot be read
     */
    Normalized normalize(Envelope envelope);

    /**
     * This mapping with some expressions replaced in every rule (a tenant's overrides); the same mapping when
     * there are none.
     *
     * @throws MappingException when an override names an unknown expression or is not valid
     */
    ChangeMapping withOverrides(java.util.Map<String, String> expressions);

    /** How this system's fields of {@code resource} translate to and from the unified fields; empty if not mapped. */
    java.util.Optional<FieldMapping> fieldMapping(String resource);

    /**
     * A skinny change made whole with the record fetched from the system (the mapping's {@code fetched} section);
     * empty when the mapping has none for the resource.
     *
     * @throws MappingException when the fetched record cannot be read
     */
    java.util.Optional<Change> enrich(Change skinny, java.util.Map<String, Object> fetchedRecord);

    /**
     * A listed record's id and updated-at, read with the mapping's {@code fetched} section ({@code recordId},
     * default {@code record.id}; {@code occurredAt}); empty when the mapping has no {@code fetched} section for the
     * resource or the record names no id or time.
     *
     * @throws MappingException when the expressions fail on the record
     */
    java.util.Optional<ListedRecord> listed(String resource, java.util.Map<String, Object> record);

    /** What the reconciler needs of a listed record: its id and the time of its version. */
    record ListedRecord(String recordId, java.time.Instant updatedAt) {
    }

    sealed interface Normalized {
    }

    record Mapped(Change change) implements Normalized {
    }

    /** An event type the mapping lists as not synced (e.g. Stripe {@code charge.*} for a customer sync). */
    record Ignored(String eventType) implements Normalized {
    }
}
