package io.loopfree.sync.local.sandbox;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The sandbox's records in memory, per resource, with an index of live records by external id. Not thread-safe
 * by itself: {@link SandboxApi} runs every write under one lock, which is also what makes two concurrent upserts of
 * one external id create one record.
 */
final class RecordStore {

    /** A write that cannot be made, with the HTTP status that says why. */
    static final class Conflict extends RuntimeException {
        final int status;

        Conflict(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final String idPrefix;
    private final String externalIdProperty;
    private final Map<String, Map<String, StoredRecord>> records = new HashMap<>();
    private final Map<String, Map<String, String>> liveByExternalId = new HashMap<>();
    private long nextId = 1;

    RecordStore(String idPrefix, String externalIdProperty) {
        this.idPrefix = idPrefix;
        this.externalIdProperty = externalIdProperty;
    }

    Optional<StoredRecord> get(String resource, String id) {
        return Optional.ofNullable(records.getOrDefault(resource, Map.of()).get(id));
    }

    Optional<StoredRecord> liveByExternalId(String resource, String externalId) {
        String id = liveByExternalId.getOrDefault(resource, Map.of()).get(externalId);
        return id == null ? Optional.empty() : get(resource, id);
    }

    StoredRecord create(String resource, ObjectNode fields, Instant at) {
        String externalId = externalId(fields);
        if (externalId != null && liveByExternalId(resource, externalId).isPresent()) {
            throw new Conflict(409, externalIdProperty + " already belongs to another record");
        }
        StoredRecord record = new StoredRecord(resource, idPrefix + "_" + nextId++, fields, at, at, false);
        put(record, null);
        return record;
    }

    /** Merges the fields into the live record. */
    StoredRecord patch(StoredRecord current, ObjectNode fields, Instant at) {
        if (current.deleted()) {
            throw new Conflict(404, "record is deleted");
        }
        ObjectNode merged = current.fields();
        merged.setAll(fields);
        String externalId = externalId(merged);
        if (externalId != null && liveByExternalId(current.resource(), externalId)
                .filter(other -> !other.id().equals(current.id())).isPresent()) {
            throw new Conflict(409, externalIdProperty + " already belongs to another record");
        }
        StoredRecord updated = new StoredRecord(current.resource(), current.id(), merged, current.createdAt(), at, false);
        put(updated, current);
        return updated;
    }

    /** Keeps a tombstone, so that lists and gets can report the delete. */
    StoredRecord delete(StoredRecord current, Instant at) {
        if (current.deleted()) {
            throw new Conflict(404, "record is already deleted");
        }
        StoredRecord tombstone = new StoredRecord(current.resource(), current.id(), current.fields(),
                current.createdAt(), at, true);
        put(tombstone, current);
        return tombstone;
    }

    /** Records of a resource after the cursor position (and at or after updatedSince), in (updated_at, id) order. */
    List<StoredRecord> listAfter(String resource, Instant updatedSince, ListCursor after, int limit) {
        List<StoredRecord> matching = new ArrayList<>();
        for (StoredRecord record : records.getOrDefault(resource, Map.of()).values()) {
            if (updatedSince != null && record.updatedAt().isBefore(updatedSince)) {
                continue;
            }
            if (after != null && record.sortKey().compareTo(after) <= 0) {
                continue;
            }
            matching.add(record);
        }
        matching.sort((a, b) -> a.sortKey().compareTo(b.sortKey()));
        return matching.subList(0, Math.min(limit, matching.size()));
    }

    void clear() {
        records.clear();
        liveByExternalId.clear();
        nextId = 1;
    }

    private void put(StoredRecord record, StoredRecord previous) {
        records.computeIfAbsent(record.resource(), r -> new HashMap<>()).put(record.id(), record);
        Map<String, String> index = liveByExternalId.computeIfAbsent(record.resource(), r -> new HashMap<>());
        if (previous != null) {
            String old = externalId(previous.fields());
            if (old != null) {
                index.remove(old, previous.id());
            }
        }
        String externalId = externalId(record.fields());
        if (externalId != null && !record.deleted()) {
            index.put(externalId, record.id());
        }
    }

    private String externalId(ObjectNode fields) {
        JsonNode value = fields.get(externalIdProperty);
        return value == null || value.isNull() ? null : value.asText();
    }
}
