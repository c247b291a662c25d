package io.loopfree.sync.domain.outbound;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

import io.loopfree.sync.domain.change.FieldSet;

/**
 * An outbound write stored in the same transaction that applied its change, before it is sent (the transactional
 * outbox): if the function dies or the call fails, it is still there, and the next delivery for the record (or the
 * reconciler) sends it with the same idempotency key. Removed when done.
 *
 * @param after         the tracked fields the record has in the target once written (its echo carries them)
 * @param token         this write's identity: completing it is conditional on it, so a newer write is never removed
 * @param recordVersion the sync-state version that produced it
 */
public record PendingWrite(OutboxKey key, OutboundWrite write, FieldSet after, String token, Status status,
        int attempts, String lastError, Instant createdAt, Instant updatedAt, long recordVersion) {

    public enum Status {
        /** To be sent. */
        pending,
        /** A delete waiting for an operator's approval (connection {@code onDelete=hold}); set to pending to send it. */
        held,
        /** Gave up: a client error, or too many attempts; visible and counted, sent again only by an operator. */
        failed;

        public static Status parse(String value) {
            return valueOf(value.trim().toLowerCase(Locale.ROOT));
        }
    }

    public PendingWrite {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(write, "write");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(status, "status");
        after = after == null ? FieldSet.EMPTY : after;
    }

    public String afterHash() {
        return after.hash();
    }

    public boolean sendable() {
        return status == Status.pending;
    }
}
