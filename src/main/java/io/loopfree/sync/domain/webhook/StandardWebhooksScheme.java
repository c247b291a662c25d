package io.loopfree.sync.domain.webhook;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Standard Webhooks (standardwebhooks.com, spec "Verifying Webhooks"): the signed content is
 * {@code webhook-id + "." + webhook-timestamp + "." + body}, HMAC-SHA256 keyed with the base64 part of a
 * {@code whsec_} secret; {@code webhook-signature} holds space-separated {@code v1,<base64>} entries (several
 * during the sender's own rotation). The timestamp must be within the tolerance in both directions.
 * <p>
 * Built on the shared pieces, one mechanism each: {@link Hmacs} (MAC, constant-time compare, concatenation),
 * {@link ReplayWindow} (timestamp parsing and window), {@link SignatureSpec.SecretFormat#whsec} (the key).
 */
public final class StandardWebhooksScheme implements SignatureScheme {

    public static final String ID_HEADER = "webhook-id";
    public static final String TIMESTAMP_HEADER = "webhook-timestamp";
    public static final String SIGNATURE_HEADER = "webhook-signature";
    private static final String VERSION_PREFIX = "v1,";
    private static final SignatureSpec.SecretFormat SECRET_FORMAT = SignatureSpec.SecretFormat.whsec;

    private final ReplayWindow window;

    public StandardWebhooksScheme(Duration tolerance) {
        this.window = new ReplayWindow(tolerance);
    }

    @Override
    public Verification verify(WebhookRequest request, List<String> activeSecrets, Instant now) {
        Optional<String> id = request.header(ID_HEADER).filter(v -> !v.isBlank());
        Optional<String> timestamp = request.header(TIMESTAMP_HEADER).map(String::trim).filter(v -> !v.isEmpty());
        Optional<String> signatures = request.header(SIGNATURE_HEADER).filter(v -> !v.isBlank());
        if (id.isEmpty() || timestamp.isEmpty() || signatures.isEmpty()) {
            return Verification.rejected("missing header: " + ID_HEADER + ", " + TIMESTAMP_HEADER + " and "
                    + SIGNATURE_HEADER + " are required");
        }
        Optional<Instant> signedAt = ReplayWindow.parseEpoch(timestamp.get(), SignatureSpec.TimestampUnit.seconds);
        if (signedAt.isEmpty()) {
            return Verification.rejected("malformed " + TIMESTAMP_HEADER + ": not epoch seconds");
        }
        Optional<String> outside = window.check(signedAt.get(), now);
        if (outside.isPresent()) {
            return Verification.rejected(outside.get());
        }
        List<byte[]> presented = presentedSignatures(signatures.get());
        if (presented.isEmpty()) {
            return Verification.rejected("no v1 signature in " + SIGNATURE_HEADER);
        }
        byte[] signedContent = signedContent(id.get(), timestamp.get(), request.body());
        for (int i = 0; i < activeSecrets.size(); i++) {
            Optional<byte[]> key = SECRET_FORMAT.key(activeSecrets.get(i));
            if (key.isEmpty()) {
                continue;
            }
            byte[] expected = Hmacs.hmacSha256(key.get(), signedContent);
            for (byte[] candidate : presented) {
                if (Hmacs.equal(expected, candidate)) {
                    return Verification.verified(i);
                }
            }
        }
        return Verification.rejected("signature mismatch");
    }

    /** Signs content the way a Standard Webhooks sender does; used by tools that produce sample deliveries. */
    public static String sign(String secret, String id, long timestampSeconds, byte[] body) {
        byte[] key = SECRET_FORMAT.key(secret).orElseThrow(() -> new IllegalArgumentException("not a whsec_ secret"));
        byte[] mac = Hmacs.hmacSha256(key, signedContent(id, Long.toString(timestampSeconds), body));
        return VERSION_PREFIX + Hmacs.Encoding.base64.encode(mac);
    }

    private static List<byte[]> presentedSignatures(String header) {
        List<byte[]> result = new ArrayList<>();
        for (String entry : header.trim().split("\\s+")) {
            if (!entry.startsWith(VERSION_PREFIX)) {
                continue; // other versions (e.g. v1a asymmetric) are not ours to check
            }
            try {
                result.add(Hmacs.Encoding.base64.decode(entry.substring(VERSION_PREFIX.length())));
            } catch (IllegalArgumentException ignored) {
                // a malformed entry cannot match; keep checking the others
            }
        }
        return result;
    }

    private static byte[] signedContent(String id, String timestamp, byte[] body) {
        return Hmacs.concat(Hmacs.utf8(id + "." + timestamp + "."), body);
    }
}
