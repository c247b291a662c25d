package io.loopfree.sync.adapters.dynamodb;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * One fixed ISO-8601 form for every timestamp attribute ({@code 2026-11-20T10:00:05.000Z}): readable in the
 * console, and with a fixed width so that string comparison in condition expressions is time order.
 */
final class IsoTimestamps {

    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private IsoTimestamps() {
    }

    static String format(Instant instant) {
        return FORMAT.format(instant.truncatedTo(ChronoUnit.MILLIS));
    }

    static Instant parse(String value) {
        return Instant.parse(value);
    }
}
