package io.loopfree.sync.local.sandbox;

/**
 * Who made a request: the engine (its bearer token) or a named human (no Authorization header).
 *
 * @param clientId for Salesforce-like actor metadata: the {@code client=} of {@code Sforce-Call-Options} when the
 *        request sent one, otherwise the engine's client id or, for humans, {@code SfdcInternalAPI}
 */
record Writer(boolean engine, String user, String clientId) {

    /** As the audit names it: {@code engine} or {@code human:<name>}. */
    String auditName() {
        return engine ? "engine" : "human:" + user;
    }
}
