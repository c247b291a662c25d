package io.loopfree.sync.domain.webhook;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Stripe (docs.stripe.com/webhooks, "Verify signatures manually"): {@code Stripe-Signature: t=<unix>,v1=<hex>[,v1=...]};
 * the signed payload is {@code t + "." + body}, HMAC-SHA256 keyed with the endpoint secret's text ({@code whsec_...}
 * as is), hex. Several v1 entries appear while Stripe rolls a secret; other schemes (v0) are ignored. Stripe's
 * default tolerance is 300 s; we reject timestamps that far in the future too.
 */
public final class StripeScheme implements SignatureScheme {

    public static final String DEFAULT_HEADER = "Stripe-Signature";

    private final String header;
    private final ReplayWindow window;

    public StripeScheme(Optional<String> header, Duration tolerance) {
        this.header = header.filter(h -> !h.isBlank()).orElse(DEFAULT_HEADER);
        this.window = new ReplayWindow(tolerance);
    }

    @Override
    public Verification verify(WebhookRequest request, List<String> activeSecrets, Instant now) {
        Optional<String> value = request.header(header).filter(v -> !v.isBlank());
        if (value.isEmpty()) {
            return Verification.rejected("missing header: " + header + " is required");
        }
        String timestamp = null;
        List<byte[]> signatures = new ArrayList<>();
        for (String element : value.get().split(",")) {
            int eq = element.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = element.substring(0, eq).trim();
            String item = element.substring(eq + 1).trim();
            if (key.equals("t")) {
                timestamp = item;
            } else if (key.equals("v1")) {
                try {
                    signatures.add(Hmacs.Encoding.hex.decode(item));
                } catch (IllegalArgumentException malformed) {
                    // cannot match
                }
            }
        }
        if (timestamp == null) {
            return Verification.rejected("malformed " + header + ": no t= timestamp");
        }
        Optional<Instant> signedAt = ReplayWindow.parseEpoch(timestamp, SignatureSpec.TimestampUnit.seconds);
        if (signedAt.isEmpty()) {
            return Verification.rejected("malformed " + header + ": t= is not epoch seconds");
        }
        Optional<String> outside = window.check(signedAt.get(), now);
        if (outside.isPresent()) {
            return Verification.rejected(outside.get());
        }
        if (signatures.isEmpty()) {
            return Verification.rejected("malformed " + header + ": no v1 signature");
        }
        byte[] content = Hmacs.concat(Hmacs.utf8(timestamp + "."), request.body());
        for (int i = 0; i < activeSecrets.size(); i++) {
            byte[] expected = Hmacs.hmacSha256(Hmacs.utf8(activeSecrets.get(i)), content);
            for (byte[] candidate : signatures) {
                if (Hmacs.equal(expected, candidate)) {
                    return Verification.verified(i);
                }
            }
        }
        return Verification.rejected("signature mismatch");
    }
}
