package io.loopfree.sync.domain.reconcile;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The event id of a listed record: derived from (system, record id, its updated-at), so that listing the same
 * version twice (an overlap of the skew buffer, a resumed or forced run) is dropped by the processor's dedup, and a
 * new version is a new event. Readable where it can be: {@code reconcile:<system>:<recordId>:<epoch millis>};
 * hashed when the id is long.
 */
public final class ListedEventIds {

    private static final int MAX_READABLE = 200;

    private ListedEventIds() {
    }

    public static String of(String system, String recordId, Instant updatedAt) {
        String readable = "reconcile:" + system + ":" + recordId + ":" + updatedAt.toEpochMilli();
        if (readable.length() <= MAX_READABLE) {
            return readable;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(readable.getBytes(StandardCharsets.UTF_8));
            return "reconcile:" + system + ":sha256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
