package io.loopfree.sync.looptest;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.loopfree.sync.domain.webhook.Hmacs;
import io.loopfree.sync.domain.webhook.ProviderProfile;
import io.loopfree.sync.domain.webhook.PublicUrl;
import io.loopfree.sync.domain.webhook.SignatureSchemes;
import io.loopfree.sync.domain.webhook.SignatureSpec;
import io.loopfree.sync.domain.webhook.SignedContentTemplate;
import io.loopfree.sync.domain.webhook.StandardWebhooksScheme;
import io.loopfree.sync.domain.webhook.WebhookRequest;

/**
 * Signs a webhook the way a system's ingress profile says its provider signs (standard-webhooks, stripe, the
 * generic hmac), with the domain's own helpers, so a provider the loop test imitates is verified by the real
 * ingress code. Schemes the loop test cannot produce (twilio, client-state) are refused with a clear message.
 */
final class WebhookSigning {

    /** The host the webhook is addressed to: the URL a provider signs is rebuilt from these headers. */
    static final String HOST = "hooks.loop-test.local";

    private WebhookSigning() {
    }

    private static byte[] utf8(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A POST of {@code body} to {@code /webhooks/<system>/<tenant>}, signed with {@code secret} at {@code now}. */
    static WebhookRequest sign(ProviderProfile profile, String tenant, String eventId, byte[] body, String secret,
            Instant now) {
        String path = "/webhooks/" + profile.system() + "/" + tenant;
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("host", HOST);
        headers.put("x-forwarded-proto", "https");
        headers.put("content-type", "application/json");
        headers.put("user-agent", "loopfree-loop-test/1");
        SignatureSpec spec = profile.signature();
        switch (spec.scheme()) {
            case SignatureSchemes.STANDARD_WEBHOOKS -> {
                long timestamp = now.getEpochSecond();
                headers.put(StandardWebhooksScheme.ID_HEADER, eventId);
                headers.put(StandardWebhooksScheme.TIMESTAMP_HEADER, Long.toString(timestamp));
                headers.put(StandardWebhooksScheme.SIGNATURE_HEADER,
                        StandardWebhooksScheme.sign(secret, eventId, timestamp, body));
            }
            case SignatureSchemes.STRIPE -> {
                String timestamp = Long.toString(now.getEpochSecond());
                byte[] prefix = utf8(timestamp + ".");
                byte[] content = java.util.Arrays.copyOf(prefix, prefix.length + body.length);
                System.arraycopy(body, 0, content, prefix.length, body.length);
                byte[] mac = Hmacs.hmacSha256(utf8(secret), content);
                headers.put(spec.header().orElse("Stripe-Signature"), "t=" + timestamp + ",v1="
                        + Hmacs.Encoding.hex.encode(mac));
            }
            case SignatureSchemes.HMAC -> {
                Optional<String> timestamp = spec.timestampHeader().map(h -> {
                    String value = spec.timestampUnit() == SignatureSpec.TimestampUnit.milliseconds
                            ? Long.toString(now.toEpochMilli()) : Long.toString(now.getEpochSecond());
                    headers.put(h, value);
                    return value;
                });
                WebhookRequest unsigned = new WebhookRequest("POST", path, "", headers, body);
                String url = PublicUrl.of(unsigned, profile.publicBaseUrl());
                byte[] content = new SignedContentTemplate(spec.signedContent()).render(
                        new SignedContentTemplate.Inputs("POST", url, path, "", timestamp, unsigned), body);
                byte[] key = spec.secretFormat().key(secret)
                        .orElseThrow(() -> new IllegalArgumentException("the webhook secret is not in the profile's "
                                + spec.secretFormat() + " format"));
                headers.put(spec.header().orElseThrow(), spec.prefix() + spec.encoding().encode(spec.algorithm().mac(key, content)));
            }
            default -> throw new IllegalArgumentException("the loop test cannot sign with the '" + spec.scheme()
                    + "' scheme (profile " + profile.system() + "); use standard-webhooks, stripe or hmac");
        }
        return new WebhookRequest("POST", path, "", headers, body);
    }
}
