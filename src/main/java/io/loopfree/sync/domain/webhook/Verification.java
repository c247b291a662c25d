package io.loopfree.sync.domain.webhook;

/** The result of checking a delivery's authenticity: verified, or rejected with a reason. */
public sealed interface Verification {

    /**
     * @param secretIndex which of the active secrets matched (0 = newest); a challenge that must be answered with
     *        the provider's secret (Zoom) answers with that one
     */
    record Verified(int secretIndex) implements Verification {
    }

    /** The reason is safe to return to the caller: it never contains a secret or an expected signature. */
    record Rejected(String reason) implements Verification {
    }

    static Verification verified(int secretIndex) {
        return new Verified(secretIndex);
    }

    static Verification rejected(String reason) {
        return new Rejected(reason);
    }
}
