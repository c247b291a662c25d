package io.loopfree.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.loopfree.sync.domain.webhook.Verification;
import io.loopfree.sync.domain.webhook.WebhookRequest;

/**
 * Every shipped body-signing profile, against a sender written from the provider's documentation
 * ({@link ProviderCases}): what it signs verifies; any change, another secret, a missing header or a timestamp
 * outside the window does not; several active secrets (rotation), header-name case and non-UTF-8 bodies are fine.
 */
class SignatureSchemesTest {

    static final Instant NOW = Instant.parse("2026-11-20T10:00:30Z");
    static final byte[] BODY = "{\"id\":\"evt_1\",\"name\":\"Zoë\",\"amount\":4200}".getBytes(StandardCharsets.UTF_8);

    static List<ProviderCases.Case> cases() {
        return ProviderCases.bodySigning();
    }

    static List<ProviderCases.Case> timestamped() {
        return cases().stream().filter(ProviderCases.Case::timestamped).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void verifiesWhatTheProviderSigns(ProviderCases.Case provider) {
        assertThat(verify(provider, provider.sign(BODY, NOW), List.of(provider.secret()))).isEqualTo(Verification.verified(0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectsATamperedBody(ProviderCases.Case provider) {
        WebhookRequest signed = provider.sign(BODY, NOW);
        byte[] tampered = BODY.clone();
        tampered[tampered.length - 3] = '3'; // 4200 -> 4300
        assertMismatch(provider, provider.withPayload(signed, tampered, NOW));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectsAnotherSecret(ProviderCases.Case provider) {
        assertMismatch(provider, provider.sender().sign(BODY, provider.otherSecret(), NOW, m -> m));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectsADamagedMac(ProviderCases.Case provider) {
        assertMismatch(provider, provider.sender().sign(BODY, provider.secret(), NOW, mac -> {
            byte[] damaged = mac.clone();
            damaged[0] ^= 0x01;
            return damaged;
        }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void acceptsAnyActiveSecretDuringARotation(ProviderCases.Case provider) {
        Verification result = verify(provider, provider.sign(BODY, NOW), List.of(provider.otherSecret(), provider.secret()));
        assertThat(result).isEqualTo(Verification.verified(1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void headerNamesAreCaseInsensitive(ProviderCases.Case provider) {
        WebhookRequest signed = provider.sign(BODY, NOW);
        Map<String, String> shouted = new LinkedHashMap<>();
        signed.headers().forEach((name, value) -> shouted.put(name.toUpperCase(Locale.ROOT), value));
        WebhookRequest request = new WebhookRequest("POST", signed.path(), "", shouted, signed.body());
        assertThat(verify(provider, request, List.of(provider.secret()))).isInstanceOf(Verification.Verified.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aMissingSignatureHeaderIsNamed(ProviderCases.Case provider) {
        WebhookRequest signed = provider.sign(BODY, NOW);
        WebhookRequest stripped = new WebhookRequest("POST", signed.path(), "", Map.of("host", ProviderCases.HOST,
                "content-type", signed.header("content-type").orElse("")), signed.body());
        Verification result = verify(provider, stripped, List.of(provider.secret()));
        assertThat(result).isInstanceOf(Verification.Rejected.class);
        assertThat(((Verification.Rejected) result).reason()).startsWith("missing header");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aBodyThatIsNotUtf8VerifiesOverItsBytes(ProviderCases.Case provider) {
        byte[] binary = {(byte) 0xff, (byte) 0xfe, 0, 1, 2, (byte) 0x80, 'x'};
        assertThat(verify(provider, provider.sign(binary, NOW), List.of(provider.secret())))
                .isInstanceOf(Verification.Verified.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aRejectionNeverNamesTheSecret(ProviderCases.Case provider) {
        Verification result = verify(provider, provider.sender().sign(BODY, provider.otherSecret(), NOW, m -> m),
                List.of(provider.secret()));
        assertThat(((Verification.Rejected) result).reason()).doesNotContain(provider.secret())
                .doesNotContain(provider.otherSecret());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("timestamped")
    void staleAndFutureTimestampsAreRejectedAndTheBoundaryIsNot(ProviderCases.Case provider) {
        assertThat(reason(provider, provider.sign(BODY, NOW.minusSeconds(301)))).startsWith("stale timestamp");
        assertThat(reason(provider, provider.sign(BODY, NOW.plusSeconds(301)))).startsWith("future timestamp");
        assertThat(verify(provider, provider.sign(BODY, NOW.minusSeconds(300)), List.of(provider.secret())))
                .isInstanceOf(Verification.Verified.class);
        assertThat(verify(provider, provider.sign(BODY, NOW.plusSeconds(300)), List.of(provider.secret())))
                .isInstanceOf(Verification.Verified.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("timestamped")
    void extremeTimestampsAreStaleOrFutureNeverOverflowed(ProviderCases.Case provider) {
        // -2^63 once overflowed into "future timestamp" (and a huge Stripe t= threw)
        assertThat(reason(provider, withTimestamp(provider, Long.MIN_VALUE))).startsWith("stale timestamp");
        assertThat(reason(provider, withTimestamp(provider, Long.MIN_VALUE + 1))).startsWith("stale timestamp");
        assertThat(reason(provider, withTimestamp(provider, Long.MAX_VALUE))).startsWith("future timestamp");
        assertThat(reason(provider, withTimestamp(provider, -1))).startsWith("stale timestamp");
    }

    /** The signed request with its timestamp replaced (before the signature is even looked at). */
    private static WebhookRequest withTimestamp(ProviderCases.Case provider, long value) {
        WebhookRequest signed = provider.sign(BODY, NOW);
        if (provider.system().equals("stripe")) {
            String header = signed.header("Stripe-Signature").orElseThrow();
            return ProviderCases.withHeader(signed, "Stripe-Signature", header.replaceFirst("t=\\d+", "t=" + value));
        }
        String header = provider.signedHeaders().stream()
                .filter(h -> h.toLowerCase(Locale.ROOT).contains("timestamp")).findFirst().orElseThrow();
        return ProviderCases.withHeader(signed, header, Long.toString(value));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("timestamped")
    void aTimestampChangedAfterSigningIsRejected(ProviderCases.Case provider) {
        for (String header : provider.signedHeaders()) {
            WebhookRequest signed = provider.sign(BODY, NOW);
            String value = signed.header(header).orElseThrow();
            String changed = header.toLowerCase(Locale.ROOT).contains("timestamp")
                    ? Long.toString(Long.parseLong(value) - 1) : value + "x";
            assertMismatch(provider, ProviderCases.withHeader(signed, header, changed));
        }
    }

    private static void assertMismatch(ProviderCases.Case provider, WebhookRequest request) {
        assertThat(reason(provider, request)).isIn("signature mismatch", "no v1 signature in webhook-signature");
    }

    private static String reason(ProviderCases.Case provider, WebhookRequest request) {
        Verification result = verify(provider, request, List.of(provider.secret()));
        assertThat(result).as(provider.system()).isInstanceOf(Verification.Rejected.class);
        return ((Verification.Rejected) result).reason();
    }

    private static Verification verify(ProviderCases.Case provider, WebhookRequest request, List<String> secrets) {
        return provider.scheme().verify(request, secrets, NOW);
    }
}
