package io.loopfree.sync.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

import io.loopfree.sync.adapters.secrets.SsmSecretStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * The SSM adapter against LocalStack's SSM (the real wire protocol), where a Docker engine exists; without one
 * JUnit reports it skipped. There is no SSM emulator on Maven Central to run in process.
 */
@Testcontainers(disabledWithoutDocker = true)
class SsmSecretStoreOnLocalStackTest {

    @Container
    static final LocalStackContainer LOCALSTACK = new LocalStackContainer(DockerImageName.parse("localstack/localstack:4.4"))
            .withServices("ssm");

    @Test
    void readsSecureStringsByTenantAndPurposeAndTreatsMissingAsNone() {
        try (SsmClient ssm = SsmClient.builder().endpointOverride(LOCALSTACK.getEndpoint())
                .region(Region.of(LOCALSTACK.getRegion()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(LOCALSTACK.getAccessKey(), LOCALSTACK.getSecretKey())))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
            ssm.putParameter(b -> b.name("/loopfree/webhook-secrets/stripe/acme").type(ParameterType.SECURE_STRING)
                    .value("whsec_new, whsec_old"));
            ssm.putParameter(b -> b.name("/loopfree/webhook-secrets/meta/acme/verify-token").type(ParameterType.SECURE_STRING)
                    .value("token-1"));
            SsmSecretStore store = new SsmSecretStore(ssm, "/loopfree/webhook-secrets/");
            assertThat(store.webhookSecrets("stripe", "acme")).containsExactly("whsec_new", "whsec_old");
            assertThat(store.webhookSecrets("meta", "acme", "verify-token")).containsExactly("token-1");
            assertThat(store.webhookSecrets("stripe", "globex")).isEmpty();
        }
    }
}
