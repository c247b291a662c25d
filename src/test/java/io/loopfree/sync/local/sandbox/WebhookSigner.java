package io.loopfree.sync.local.sandbox;

import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.loopfree.sync.domain.webhook.Hmacs;
import io.loopfree.sync.domain.webhook.SignatureSpec;
import io.loopfree.sync.domain.webhook.SignedContentTemplate;
import io.loopfree.sync.domain.webhook.StandardWebhooksScheme;
import io.loopfree.sync.domain.webhook.WebhookRequest;

/**
 * Signs a delivery the way the real provider would, with the project's own domain helpers (the same code the
 * ingress verifies with), so the sandbox cannot drift from the schemes it imitates.
 */
final class WebhookSigner {

    static final String HUBSPOT_SIGNATURE = "X-HubSpot-Signature-v3";
    static final String HUBSPOT_TIMESTAMP = "X-HubSpot-Request-Timestamp";
    /** HubSpot v3's signed content, as in profiles/hubspot.json. */
    private static final SignedContentTemplate HUBSPOT_V3 = new SignedContentTemplate("{method}{url}{body}{timestamp}");

    private final SandboxConfig.Signing signing;

    WebhookSigner(SandboxConfig.Signing signing) {
        this.signing = signing;
    }

    /** The signature headers for one delivery attempt (providers sign each attempt with its own timestamp). */
    Map<String, String> headers(String eventId, URI url, byte[] body, Instant now) {
        Map<String, String> headers = new LinkedHashMap<>();
        switch (signing.scheme()) {
            case STANDARD_WEBHOOKS -> {
                long timestamp = now.getEpochSecond();
                headers.put(StandardWebhooksScheme.ID_HEADER, eventId);
                headers.put(StandardWebhooksScheme.TIMESTAMP_HEADER, Long.toString(timestamp));
                headers.put(StandardWebhooksScheme.SIGNATURE_HEADER,
                        StandardWebhooksScheme.sign(signing.secret(), eventId, timestamp, body));
            }
            case HUBSPOT_V3 -> {
                String timestamp = Long.toString(now.toEpochMilli());
                String query = url.getRawQuery() == null ? "" : url.getRawQuery();
                byte[] content = HUBSPOT_V3.render(new SignedContentTemplate.Inputs("POST", url.toString(),
                        url.getRawPath(), query, Optional.of(timestamp),
                        new WebhookRequest("POST", url.getRawPath(), query, Map.of(), body)), body);
                byte[] key = SignatureSpec.SecretFormat.text.key(signing.secret())
                        .orElseThrow(() -> new IllegalStateException("empty HubSpot client secret"));
                headers.put(HUBSPOT_TIMESTAMP, timestamp);
                headers.put(HUBSPOT_SIGNATURE, Hmacs.Encoding.base64.encode(Hmacs.Algorithm.SHA256.mac(key, content)));
            }
            default -> throw new IllegalStateException("unknown signing scheme " + signing.scheme());
        }
        return headers;
    }
}
