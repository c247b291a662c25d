package io.loopfree.sync.adapters.dynamodb;

import java.time.Instant;

import io.loopfree.sync.domain.change.FieldType;

/**
 * One fixed ISO-8601 form for every timestamp attribute ({@code 2026-11-20T10:00:05.000Z}): readable in the
 * console, and with a fixed width so that string comparison in condition expressions is time order. The format
 * is the domain's one ({@link FieldType#formatInstant}), the same the normalized timestamp fields use.
 */
final class IsoTimestamps {

    private IsoTimestamps() {
    }

    static String format(Instant instant) {
        return FieldType.formatInstant(instant);
    }

    static Instant parse(String value) {
        return Instant.parse(value);
    }
}
