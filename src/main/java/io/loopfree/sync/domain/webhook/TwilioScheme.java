package io.loopfree.sync.domain.webhook;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Twilio (twilio.com/docs/usage/webhooks/webhooks-security): {@code X-Twilio-Signature} is base64 of
 * HMAC-SHA1, keyed with the auth token, over the full URL Twilio called followed by every POST form parameter,
 * sorted by name, as name then value with no separators. For JSON bodies Twilio adds a {@code bodySHA256} query
 * parameter (hex SHA-256 of the body) and signs the URL alone. Twilio's own validators accept the URL with or
 * without the default port; so do we. Twilio signs no timestamp, so there is no replay window: the processor's
 * dedup on the idempotency token is what bounds a replay.
 */
public final class TwilioScheme implements SignatureScheme {

    public static final String DEFAULT_HEADER = "X-Twilio-Signature";
    private static final String BODY_HASH_PARAMETER = "bodySHA256";

    private final String header;
    private final Optional<String> publicBaseUrl;

    public TwilioScheme(Optional<String> header, Optional<String> publicBaseUrl) {
        this.header = header.filter(h -> !h.isBlank()).orElse(DEFAULT_HEADER);
        this.publicBaseUrl = publicBaseUrl;
    }

    @Override
    public Verification verify(WebhookRequest request, List<String> activeSecrets, Instant now) {
        Optional<String> value = request.header(header).filter(v -> !v.isBlank());
        if (value.isEmpty()) {
            return Verification.rejected("missing header: " + header + " is required");
        }
        byte[] presented;
        try {
            presented = Base64.getDecoder().decode(value.get().trim());
        } catch (IllegalArgumentException e) {
            return Verification.rejected("malformed " + header + ": not base64");
        }
        String url = PublicUrl.of(request, publicBaseUrl);
        Optional<String> bodyHash = request.queryParameter(BODY_HASH_PARAMETER);
        String parameters = "";
        if (bodyHash.isPresent()) {
            if (!Hmacs.equal(Hmacs.sha256Hex(request.body()), bodyHash.get().toLowerCase(java.util.Locale.ROOT))) {
                return Verification.rejected("body does not match its " + BODY_HASH_PARAMETER + " query parameter");
            }
        } else {
            parameters = sortedParameters(request.formParameters());
        }
        for (String candidateUrl : PublicUrl.withAndWithoutDefaultPort(url)) {
            byte[] content = Hmacs.utf8(candidateUrl + parameters);
            for (int i = 0; i < activeSecrets.size(); i++) {
                byte[] expected = Hmacs.Algorithm.SHA1.mac(Hmacs.utf8(activeSecrets.get(i)), content);
                if (Hmacs.equal(expected, presented)) {
                    return Verification.verified(i);
                }
            }
        }
        return Verification.rejected("signature mismatch");
    }

    /** Sorted by name (then value, for repeated names, as Twilio's libraries do), concatenated name + value. */
    static String sortedParameters(List<WebhookRequest.Parameter> parameters) {
        List<WebhookRequest.Parameter> sorted = new ArrayList<>(parameters);
        sorted.sort(Comparator.comparing(WebhookRequest.Parameter::name).thenComparing(WebhookRequest.Parameter::value));
        StringBuilder out = new StringBuilder();
        sorted.forEach(p -> out.append(p.name()).append(p.value()));
        return out.toString();
    }
}
