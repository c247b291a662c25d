package io.loopfree.sync.ports;

import java.util.List;

/**
 * Webhook secrets per (system, tenant); several may be active at once during a rotation. Besides the signing
 * secret some providers need a second value (Meta's verify token), asked for by purpose.
 */
public interface SecretStore {

    /** The purpose of the signing secret (HMAC key, Graph client state). */
    String SIGNING = "signing";

    /** The active signing secrets, newest first; empty when the tenant is not configured for that system. */
    default List<String> webhookSecrets(String system, String tenant) {
        return webhookSecrets(system, tenant, SIGNING);
    }

    /**
     * The active secrets for a purpose, newest first; empty when there are none.
     *
     * @throws SecretStoreUnavailableException when the store could not be asked; the caller answers 5xx so that
     *         the provider retries
     */
    List<String> webhookSecrets(String system, String tenant, String purpose);

    final class SecretStoreUnavailableException extends RuntimeException {
        public SecretStoreUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
