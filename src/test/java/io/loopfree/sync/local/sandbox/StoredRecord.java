package io.loopfree.sync.local.sandbox;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Set;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One record as the sandbox keeps it: its free-form fields and the read-only attributes the provider manages.
 * Immutable: a write replaces the record.
 */
record StoredRecord(String resource, String id, ObjectNode fields, Instant createdAt, Instant updatedAt,
        boolean deleted) {

    /** Attributes a client cannot write: sent in a body, they are ignored (like a real provider's read-only fields). */
    static final Set<String> READ_ONLY = Set.of("id", "created_at", "updated_at", "deleted", "hs_lastmodifieddate");

    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    StoredRecord {
        fields = fields.deepCopy();
    }

    @Override
    public ObjectNode fields() {
        return fields.deepCopy();
    }

    /**
     * The record as the API returns it: {@code id}, the fields, {@code created_at}, {@code updated_at},
     * {@code deleted}; a normalizing provider keeps whole seconds and adds {@code hs_lastmodifieddate}.
     */
    ObjectNode toJson(boolean normalizing) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("id", id);
        json.setAll(fields.deepCopy());
        json.put("created_at", format(createdAt, normalizing));
        json.put("updated_at", format(updatedAt, normalizing));
        if (normalizing) {
            json.put("hs_lastmodifieddate", format(updatedAt, true));
        }
        json.put("deleted", deleted);
        return json;
    }

    ListCursor sortKey() {
        return new ListCursor(updatedAt, id);
    }

    static String format(Instant instant, boolean wholeSeconds) {
        return (wholeSeconds ? SECONDS : MILLIS).format(instant);
    }
}
