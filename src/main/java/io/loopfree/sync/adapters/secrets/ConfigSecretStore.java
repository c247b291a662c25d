package io.loopfree.sync.adapters.secrets;

import java.util.List;

import org.eclipse.microprofile.config.Config;

import io.loopfree.sync.ports.SecretStore;

/**
 * Secrets from the configuration sources, for local runs and tests: the environment, e.g.
 * {@code WEBHOOK_SECRETS_APP_ACME=whsec_new,whsec_old} for system {@code app}, tenant {@code acme}
 * (comma-separated, newest first, several active during a rotation); another purpose adds its name, e.g.
 * {@code WEBHOOK_SECRETS_META_ACME_VERIFY_TOKEN}. Values are never logged. The key space is deliberately outside
 * the validated {@code sync.*} mapping: its keys are per tenant and not known in advance.
 */
public class ConfigSecretStore implements SecretStore {

    private final Config config;

    public ConfigSecretStore(Config config) {
        this.config = config;
    }

    @Override
    public List<String> webhookSecrets(String system, String tenant, String purpose) {
        String key = "webhook-secrets." + system + "." + tenant + (SIGNING.equals(purpose) ? "" : "." + purpose);
        return config.getOptionalValue(key, String.class).map(SecretValues::split).orElse(List.of());
    }
}
