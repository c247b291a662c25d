package io.loopfree.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.domain.webhook.HmacScheme;
import io.loopfree.sync.domain.webhook.Hmacs;
import io.loopfree.sync.domain.webhook.SignatureSpec;
import io.loopfree.sync.domain.webhook.Verification;
import io.loopfree.sync.domain.webhook.WebhookRequest;

/** The generic HMAC scheme's parameters, each on its own: algorithm, encoding, prefix, separator, templates, keys. */
class GenericHmacSchemeTest {

    static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");
    static final byte[] BODY = "{\"id\":1}".getBytes(StandardCharsets.UTF_8);

    @Test
    void sha1HexWithAPrefix() {
        HmacScheme scheme = new HmacScheme(SignatureSpec.of("hmac").withHeader("X-Sig")
                .withMac(Hmacs.Algorithm.parse("SHA-1"), Hmacs.Encoding.hex, "sha1="), Optional.empty());
        String sig = "sha1=" + ProviderCases.hex(ProviderCases.hmac("HmacSHA1", ProviderCases.utf8("k"), BODY));
        assertThat(scheme.verify(request(Map.of("X-Sig", sig)), List.of("k"), NOW)).isEqualTo(Verification.verified(0));
        assertThat(scheme.verify(request(Map.of("X-Sig", sig.toUpperCase())), List.of("k"), NOW))
                .as("hex and prefix case do not matter").isEqualTo(Verification.verified(0));
    }

    @Test
    void sha512Base64() {
        HmacScheme scheme = new HmacScheme(SignatureSpec.of("hmac").withHeader("X-Sig")
                .withMac(Hmacs.Algorithm.parse("HmacSHA512"), Hmacs.Encoding.base64, ""), Optional.empty());
        String sig = Base64.getEncoder().encodeToString(ProviderCases.hmac("HmacSHA512", ProviderCases.utf8("k"), BODY));
        assertThat(scheme.verify(request(Map.of("X-Sig", sig)), List.of("k"), NOW)).isEqualTo(Verification.verified(0));
    }

    @Test
    void severalSignaturesInOneHeaderAnyOneMatching() {
        HmacScheme scheme = new HmacScheme(SignatureSpec.of("hmac").withHeader("X-Sig")
                .withMac(Hmacs.Algorithm.SHA256, Hmacs.Encoding.hex, "v1=").withSeparator(" "), Optional.empty());
        String good = "v1=" + ProviderCases.hex(ProviderCases.hmac("HmacSHA256", ProviderCases.utf8("k"), BODY));
        assertThat(scheme.verify(request(Map.of("X-Sig", "v0=abcd v1=zz  " + good)), List.of("k"), NOW))
                .isEqualTo(Verification.verified(0));
    }

    @Test
    void templateWithHeaderUrlAndDecodedEscapes() {
        HmacScheme scheme = new HmacScheme(SignatureSpec.of("hmac").withHeader("X-Sig")
                .withMac(Hmacs.Algorithm.SHA256, Hmacs.Encoding.hex, "")
                .withSignedContent("{header:X-Id}|{method}|{url}|{body}", List.of("%3A")), Optional.empty());
        String content = "id-7|POST|https://h.test/webhooks/x/acme?a=b:c|" + new String(BODY, StandardCharsets.UTF_8);
        String sig = ProviderCases.hex(ProviderCases.hmac("HmacSHA256", ProviderCases.utf8("k"), ProviderCases.utf8(content)));
        WebhookRequest request = new WebhookRequest("POST", "/webhooks/x/acme", "a=b%3ac",
                Map.of("host", "h.test", "X-Id", "id-7", "X-Sig", sig), BODY);
        assertThat(scheme.verify(request, List.of("k"), NOW)).isEqualTo(Verification.verified(0));
    }

    @Test
    void base64AndWhsecSecrets() {
        byte[] key = {1, 2, 3, 4, 5};
        String sig = ProviderCases.hex(ProviderCases.hmac("HmacSHA256", key, BODY));
        for (SignatureSpec.SecretFormat format : List.of(SignatureSpec.SecretFormat.base64, SignatureSpec.SecretFormat.whsec)) {
            HmacScheme scheme = new HmacScheme(SignatureSpec.of("hmac").withHeader("X-Sig").withSecretFormat(format),
                    Optional.empty());
            String secret = (format == SignatureSpec.SecretFormat.whsec ? "whsec_" : "") + Base64.getEncoder().encodeToString(key);
            assertThat(scheme.verify(request(Map.of("X-Sig", sig)), List.of("not base64 !", secret), NOW))
                    .isEqualTo(Verification.verified(1));
        }
    }

    @Test
    void malformedTimestampsAndSignaturesAreNamed() {
        HmacScheme scheme = new HmacScheme(SignatureSpec.of("hmac").withHeader("X-Sig")
                .withTimestamp("X-Ts", SignatureSpec.TimestampUnit.milliseconds)
                .withSignedContent("{timestamp}.{body}", List.of()), Optional.empty());
        assertThat(scheme.verify(request(Map.of("X-Sig", "00", "X-Ts", "yesterday")), List.of("k"), NOW))
                .isEqualTo(Verification.rejected("malformed X-Ts: not epoch milliseconds"));
        assertThat(scheme.verify(request(Map.of("X-Sig", "00")), List.of("k"), NOW))
                .isEqualTo(Verification.rejected("missing header: X-Ts is required"));
        assertThat(scheme.verify(request(Map.of("X-Sig", "not-hex", "X-Ts", Long.toString(NOW.toEpochMilli()))),
                List.of("k"), NOW)).isEqualTo(Verification.rejected("malformed X-Sig: expected hex"));
    }

    @Test
    void invalidParametersFailWhenTheProfileLoads() {
        assertThatThrownBy(() -> new HmacScheme(SignatureSpec.of("hmac"), Optional.empty()))
                .hasMessageContaining("signature.header is required");
        assertThatThrownBy(() -> new HmacScheme(SignatureSpec.of("hmac").withHeader("X")
                .withSignedContent("{timestamp}{body}", List.of()), Optional.empty()))
                .hasMessageContaining("timestampHeader is not set");
        assertThatThrownBy(() -> new HmacScheme(SignatureSpec.of("hmac").withHeader("X")
                .withSignedContent("{bdy}", List.of()), Optional.empty())).hasMessageContaining("unknown placeholder {bdy}");
        assertThatThrownBy(() -> new HmacScheme(SignatureSpec.of("hmac").withHeader("X")
                .withSignedContent("{method}", List.of()), Optional.empty())).hasMessageContaining("must include {body}");
        assertThatThrownBy(() -> new HmacScheme(SignatureSpec.of("hmac").withHeader("X")
                .withSignedContent("{body}", List.of("%G1")), Optional.empty())).hasMessageContaining("not a percent-escape");
        assertThatThrownBy(() -> Hmacs.Algorithm.parse("MD5")).hasMessageContaining("unknown HMAC algorithm");
    }

    private static WebhookRequest request(Map<String, String> headers) {
        return new WebhookRequest("POST", "/webhooks/x/acme", headers, BODY);
    }
}
