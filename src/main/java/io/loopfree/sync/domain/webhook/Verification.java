package io.loopfree.sync.domain.webhook;

/** The result of checking a delivery's signature: verified with the provider's event id, or rejected with a reason. */
public sealed interface Verification {

    record Verified(String eventId) implements Verification {
    }

    /** The reason is safe to return to the caller: it never contains a secret or an expected signature. */
    record Rejected(String reason) implements Verification {
    }

    static Verification verified(String eventId) {
        return new Verified(eventId);
    }

    static Verification rejected(String reason) {
        return new Rejected(reason);
    }
}
