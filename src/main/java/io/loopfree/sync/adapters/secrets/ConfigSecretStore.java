package io.loopfree.sync.adapters.secrets;

import java.util.Arrays;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.Config;

import io.loopfree.sync.ports.SecretStore;

/**
 * Secrets from the configuration sources: locally the environment, e.g.
 * {@code WEBHOOK_SECRETS_APP_ACME=whsec_new,whsec_old} for system {@code app}, tenant {@code acme}
 * (comma-separated, newest first, several active during a rotation). In AWS the same key is filled from SSM
 * Parameter Store or Secrets Manager by the deployment; values are never logged. The key space is deliberately
 * outside the validated {@code sync.*} mapping: its keys are per tenant and not known in advance.
 */
@ApplicationScoped
public class ConfigSecretStore implements SecretStore {

    private final Config config;

    public ConfigSecretStore(Config config) {
        this.config = config;
    }

    @Override
    public List<String> webhookSecrets(String system, String tenant) {
        return config.getOptionalValue("webhook-secrets." + system + "." + tenant, String.class)
                .map(value -> Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
                .orElse(List.of());
    }
}
