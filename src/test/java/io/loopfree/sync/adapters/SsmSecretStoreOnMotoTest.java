package io.loopfree.sync.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.loopfree.sync.adapters.secrets.SsmSecretStore;
import io.loopfree.sync.ports.SecretStore;
import io.loopfree.sync.support.EmbeddedAws;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * The SSM adapter against moto's SSM Parameter Store ({@code moto_server}, the real SSM wire protocol, SecureString
 * included), where moto is installed ({@code pip install 'moto[server]'}); without it JUnit reports these tests
 * skipped with that reason, as the LocalStack tests are without Docker.
 */
class SsmSecretStoreOnMotoTest {

    static Process moto;
    static URI endpoint;
    static SsmClient ssm;

    @BeforeAll
    static void startMoto() throws Exception {
        Optional<Path> motoServer = onPath("moto_server");
        Assumptions.assumeTrue(motoServer.isPresent(),
                "moto_server is not installed (pip install 'moto[server]'): the SSM adapter is not tested here");
        int port = EmbeddedAws.freePort();
        moto = new ProcessBuilder(motoServer.get().toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                return true;
            }
        });
        endpoint = URI.create("http://127.0.0.1:" + port);
        ssm = client(endpoint);
    }

    @AfterAll
    static void stopMoto() {
        if (ssm != null) {
            ssm.close();
        }
        if (moto != null) {
            moto.destroy();
        }
    }

    @Test
    void readsSecureStringsByTenantAndPurposeAndTreatsMissingAsNone() {
        ssm.putParameter(b -> b.name("/loopfree/webhook-secrets/stripe/acme").type(ParameterType.SECURE_STRING)
                .value("whsec_new, whsec_old"));
        ssm.putParameter(b -> b.name("/loopfree/webhook-secrets/meta/acme/verify-token").type(ParameterType.SECURE_STRING)
                .value("token-1"));
        SsmSecretStore store = new SsmSecretStore(ssm, "/loopfree/webhook-secrets/");

        assertThat(store.webhookSecrets("stripe", "acme")).containsExactly("whsec_new", "whsec_old");
        assertThat(store.webhookSecrets("meta", "acme", "verify-token")).containsExactly("token-1");
        assertThat(store.webhookSecrets("stripe", "globex")).isEmpty();
        assertThat(store.webhookSecrets("meta", "acme", "other-purpose")).isEmpty();
    }

    @Test
    void aPrefixWithoutTrailingSlashAndARotationAreRead() {
        ssm.putParameter(b -> b.name("/custom/prefix/github/acme").type(ParameterType.SECURE_STRING)
                .value("new-secret,previous-secret"));
        SsmSecretStore store = new SsmSecretStore(ssm, "/custom/prefix");

        assertThat(store.parameterName("github", "acme", SecretStore.SIGNING)).isEqualTo("/custom/prefix/github/acme");
        assertThat(store.webhookSecrets("github", "acme")).containsExactly("new-secret", "previous-secret");
    }

    @Test
    void anUnreachableSsmIsUnavailableNotNone() {
        try (SsmClient unreachable = client(URI.create("http://127.0.0.1:1"))) {
            SsmSecretStore store = new SsmSecretStore(unreachable, "/loopfree/webhook-secrets/");
            assertThatThrownBy(() -> store.webhookSecrets("stripe", "acme"))
                    .isInstanceOf(SecretStore.SecretStoreUnavailableException.class)
                    .hasMessageContaining("/loopfree/webhook-secrets/stripe/acme");
        }
    }

    private static SsmClient client(URI endpoint) {
        return SsmClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    private static Optional<Path> onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String directory : path.split(File.pathSeparator)) {
            Path candidate = Path.of(directory, command);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
