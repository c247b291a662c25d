package io.loopfree.sync.adapters.secrets;

import java.util.List;

import io.loopfree.sync.ports.SecretStore;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;

/**
 * Secrets from SSM Parameter Store: the SecureString {@code <prefix><system>/<tenant>} (or
 * {@code <prefix><system>/<tenant>/<purpose>} for another purpose than signing), read with decryption, holding
 * the active secrets comma-separated, newest first. Always used behind {@link CachingSecretStore}. Needs
 * {@code ssm:GetParameter} on the prefix and {@code kms:Decrypt} on its key (through SSM).
 */
public class SsmSecretStore implements SecretStore {

    private final SsmClient ssm;
    private final String prefix;

    public SsmSecretStore(SsmClient ssm, String prefix) {
        this.ssm = ssm;
        this.prefix = prefix.endsWith("/") ? prefix : prefix + "/";
    }

    @Override
    public List<String> webhookSecrets(String system, String tenant, String purpose) {
        String name = parameterName(system, tenant, purpose);
        try {
            String value = ssm.getParameter(b -> b.name(name).withDecryption(true)).parameter().value();
            return value == null ? List.of() : SecretValues.split(value);
        } catch (ParameterNotFoundException notConfigured) {
            return List.of();
        } catch (SdkException e) {
            // the exception's class only: an SDK message may quote the request
            throw new SecretStoreUnavailableException("SSM GetParameter " + name + " failed: " + e.getClass().getSimpleName(), e);
        }
    }

    public String parameterName(String system, String tenant, String purpose) {
        return prefix + system + "/" + tenant + (SIGNING.equals(purpose) ? "" : "/" + purpose);
    }
}
