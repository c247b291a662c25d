package io.loopfree.sync.ports;

import java.util.List;

/** Webhook signing secrets per (system, tenant); several may be active at once during a rotation. */
public interface SecretStore {

    /** The active secrets, newest first; empty when the tenant is not configured for that system. */
    List<String> webhookSecrets(String system, String tenant);
}
