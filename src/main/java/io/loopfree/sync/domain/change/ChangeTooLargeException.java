package io.loopfree.sync.domain.change;

/**
 * A change whose tracked fields, normalized, are too large to keep in the record's sync state: a DynamoDB item
 * holds at most 400 KB, and one record's state holds the fields of every system of its connection. Such a change
 * can never be applied, so retrying it would only loop into the DLQ: the processor drops it, deterministically
 * and visibly ({@code dropped:oversize}, a WARN line naming the size, the counter), and stores nothing.
 */
public final class ChangeTooLargeException extends RuntimeException {

    /**
     * Largest canonical JSON of one change's tracked fields, in UTF-8 bytes: a quarter of DynamoDB's 400 KB item
     * limit, so that a record synced between three systems still fits with its origin tags and hashes.
     */
    public static final int MAX_FIELDS_BYTES = 100_000;

    private final int bytes;

    public ChangeTooLargeException(String system, String recordId, int bytes) {
        super("the tracked fields of " + system + " record " + recordId + " are " + bytes
                + " bytes as canonical JSON; at most " + MAX_FIELDS_BYTES + " can be kept in the sync state");
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    /** @throws ChangeTooLargeException when the fields exceed {@link #MAX_FIELDS_BYTES} */
    public static void check(String system, String recordId, FieldSet fields) {
        int bytes = fields.canonicalJson().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > MAX_FIELDS_BYTES) {
            throw new ChangeTooLargeException(system, io.loopfree.sync.domain.text.Untrusted.text(recordId, 60), bytes);
        }
    }
}
