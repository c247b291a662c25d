package io.loopfree.sync.looptest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.loopfree.sync.adapters.profiles.ProfileParser;
import io.loopfree.sync.domain.webhook.ProviderProfile;
import io.loopfree.sync.domain.webhook.SignatureSchemes;
import io.loopfree.sync.domain.webhook.Verification;
import io.loopfree.sync.domain.webhook.WebhookRequest;

/** The loop test's pure parts: signing as each ingress profile verifies, the behaviour file, the arguments. */
class LoopTestPartsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-12-02T09:00:00Z");

    private static ProviderProfile ingressProfile(String system) throws IOException {
        try (InputStream in = LoopTestPartsTest.class.getClassLoader().getResourceAsStream("profiles/" + system + ".json")) {
            return ProfileParser.parse(system, JSON.readTree(in));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "app", "sandbox-rich", "sandbox-skinny", "hubspot", "stripe", "smartsheet", "github", "shopify" })
    void aWebhookSignedAsTheProfileSaysIsVerifiedByTheIngressScheme(String system) throws IOException {
        ProviderProfile profile = ingressProfile(system);
        byte[] body = "{\"eventId\":\"evt_1\",\"id\":\"evt_1\",\"nonce\":\"n-1\"}".getBytes(StandardCharsets.UTF_8);
        String secret = ProviderBehaviour.DEFAULT_SECRET;
        WebhookRequest signed = WebhookSigning.sign(profile, "lt-x", "evt_1", body, secret, NOW);

        Verification verification = SignatureSchemes.forProfile(profile, Optional.empty()).verify(signed, List.of(secret), NOW);

        assertThat(verification).as(system).isNotInstanceOf(Verification.Rejected.class);
        assertThat(SignatureSchemes.forProfile(profile, Optional.empty()).verify(signed, List.of(secret + "x"), NOW))
                .as(system + " with another secret").isInstanceOf(Verification.Rejected.class);
    }

    @Test
    void aSchemeTheLoopTestCannotProduceIsRefusedByName() throws IOException {
        assertThatThrownBy(() -> WebhookSigning.sign(ingressProfile("twilio"), "lt-x", "e", new byte[0], "s", NOW))
                .hasMessageContaining("cannot sign with the 'twilio' scheme");
    }

    @Test
    void everyShippedBehaviourParses() {
        for (String profile : ProviderBehaviour.shippedProfiles()) {
            ProviderBehaviour behaviour = ProviderBehaviour.shipped(profile).orElseThrow();
            assertThat(behaviour.profile()).isEqualTo(profile);
        }
    }

    @Test
    void aBehaviourWithAnUnknownFieldOrOperationIsRefusedWithWhere() {
        assertThatThrownBy(() -> ProviderBehaviour.parse(Json.tree(Map.of("profile", "p", "system", "s",
                "webhook", Map.of("body", "$"), "behaviour", Map.of("echoTag", true))), "f.json"))
                .hasMessage("behaviour f.json: unknown field 'behaviour.echoTag'");
        assertThatThrownBy(() -> ProviderBehaviour.parse(Json.tree(Map.of("profile", "p", "system", "s",
                "webhook", Map.of("body", "$"), "requests", Map.of("patch", Map.of()))), "f.json"))
                .hasMessageContaining("requests: unknown operation 'patch'");
        assertThatThrownBy(() -> ProviderBehaviour.parse(Json.tree(Map.of("profile", "p", "system", "s")), "f.json"))
                .hasMessageContaining("webhook.body is required");
        assertThatThrownBy(() -> ProviderBehaviour.parse(Json.tree(Map.of("profile", "p", "system", "s",
                "delivery", "listing", "behaviour", Map.of("actor", "zoho-like"))), "f.json"))
                .hasMessageContaining("behaviour.actor must be none, hubspot-like or salesforce-like");
    }

    @Test
    void argumentsNameWhatIsWrong() {
        assertThat(LoopTestArgs.parse(List.of()).problem()).hasValueSatisfying(p -> assertThat(p).startsWith("--profile is required"));
        assertThat(LoopTestArgs.parse(List.of("--profile", "x", "--frobnicate", "y")).problem())
                .hasValueSatisfying(p -> assertThat(p).startsWith("unknown argument '--frobnicate'"));
        assertThat(LoopTestArgs.parse(List.of("--profile", "./missing.json")).problem())
                .hasValue("outbound profile file not found: ./missing.json");
        assertThat(LoopTestArgs.parse(List.of("--profile", "hubspot-contacts", "--mappings", "/no/such/dir")).problem())
                .hasValue("--mappings is not a directory: /no/such/dir");
        LoopTestArgs shipped = LoopTestArgs.parse(List.of("--profile", "hubspot-contacts"));
        assertThat(shipped.problem()).isEmpty();
        assertThat(shipped.resolveBehaviour().system()).isEqualTo("hubspot");
        assertThat(shipped.config()).isEmpty();
        assertThatThrownBy(() -> LoopTestArgs.parse(List.of("--profile", "acme-crm")).resolveBehaviour())
                .hasMessageContaining("no shipped behaviour for 'acme-crm'");
    }
}
