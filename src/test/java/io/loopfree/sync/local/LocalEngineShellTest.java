package io.loopfree.sync.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.domain.webhook.StandardWebhooksScheme;

/** What the local run takes from the shell it was started in: secrets, settings, and the banner's curl. */
class LocalEngineShellTest {

    static final String OWN_SECRET = "whsec_" + java.util.Base64.getEncoder()
            .encodeToString("my-own-32-byte-signing-secret!!!".getBytes(StandardCharsets.UTF_8));
    static final URI URL = URI.create("http://localhost:8080/webhooks/app/acme");
    static final Pattern CURL = Pattern.compile(
            "webhook-id: (\\S+)' -H 'webhook-timestamp: (\\d+)' -H 'webhook-signature: (\\S+)' -d '(.*)'$");

    @Test
    void theReconcilerRunsEveryJobOfTheConnectionsUnlessTheShellRestrictsIt() {
        assertThat(LocalEngine.fromShell(Map.of("PATH", "/bin"))).as("derived from the connections")
                .doesNotContainKey("SYNC_RECONCILER_JOBS").doesNotContainKey("PATH");
        assertThat(LocalEngine.fromShell(Map.of("SYNC_RECONCILER_JOBS", "app:*:contact")))
                .containsEntry("SYNC_RECONCILER_JOBS", "app:*:contact");
    }

    @Test
    void theBannersCurlIsSignedWithTheSecretTheIngressUses() {
        Map<String, String> shell = Map.of(LocalEngine.APP_SECRET_VARIABLE, OWN_SECRET + ", whsec_b2xkLW9uZQ==");
        assertThat(LocalEngine.fromShell(shell)).containsEntry(LocalEngine.APP_SECRET_VARIABLE,
                OWN_SECRET + ", whsec_b2xkLW9uZQ==");
        String secret = LocalEngine.appSecret(shell);
        assertThat(secret).isEqualTo(OWN_SECRET);
        Matcher curl = CURL.matcher(LocalEngine.signedCurl(URL, secret));
        assertThat(curl.find()).isTrue();
        byte[] body = curl.group(4).getBytes(StandardCharsets.UTF_8);
        long timestamp = Long.parseLong(curl.group(2));
        assertThat(curl.group(3)).isEqualTo(StandardWebhooksScheme.sign(OWN_SECRET, curl.group(1), timestamp, body))
                .isNotEqualTo(StandardWebhooksScheme.sign(LocalEngine.DEMO_SECRET, curl.group(1), timestamp, body));
        assertThat(LocalEngine.secretLabel(secret)).as("a person's own secret is never printed")
                .doesNotContain(OWN_SECRET).contains(LocalEngine.APP_SECRET_VARIABLE);
    }

    @Test
    void withoutASecretInTheShellTheDemoSecretSignsAndIsShown() {
        assertThat(LocalEngine.fromShell(Map.of())).containsEntry(LocalEngine.APP_SECRET_VARIABLE,
                LocalEngine.DEMO_SECRET);
        assertThat(LocalEngine.appSecret(Map.of())).isEqualTo(LocalEngine.DEMO_SECRET);
        assertThat(LocalEngine.secretLabel(LocalEngine.DEMO_SECRET)).contains(LocalEngine.DEMO_SECRET);
    }
}
