package io.loopfree.sync.domain.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks (standardwebhooks.com, spec "Verifying Webhooks"): the signed content is
 * {@code webhook-id + "." + webhook-timestamp + "." + body}, HMAC-SHA256 keyed with the base64 part of a
 * {@code whsec_} secret; {@code webhook-signature} holds space-separated {@code v1,<base64>} entries (several
 * during the sender's own rotation). The timestamp must be within the tolerance in both directions.
 */
public final class StandardWebhooksScheme implements SignatureScheme {

    public static final String ID_HEADER = "webhook-id";
    public static final String TIMESTAMP_HEADER = "webhook-timestamp";
    public static final String SIGNATURE_HEADER = "webhook-signature";
    private static final String SECRET_PREFIX = "whsec_";
    private static final String VERSION_PREFIX = "v1,";
    private static final String HMAC = "HmacSHA256";

    private final Duration tolerance;

    public StandardWebhooksScheme(Duration tolerance) {
        if (tolerance.isNegative()) {
            throw new IllegalArgumentException("tolerance must not be negative");
        }
        this.tolerance = tolerance;
    }

    @Override
    public Verification verify(WebhookRequest request, List<String> activeSecrets, Instant now) {
        Optional<String> id = request.header(ID_HEADER).filter(v -> !v.isBlank());
        Optional<String> timestamp = request.header(TIMESTAMP_HEADER).filter(v -> !v.isBlank());
        Optional<String> signatures = request.header(SIGNATURE_HEADER).filter(v -> !v.isBlank());
        if (id.isEmpty() || timestamp.isEmpty() || signatures.isEmpty()) {
            return Verification.rejected("missing header: " + ID_HEADER + ", " + TIMESTAMP_HEADER + " and "
                    + SIGNATURE_HEADER + " are required");
        }
        long sentAtSeconds;
        try {
            sentAtSeconds = Long.parseLong(timestamp.get().trim());
        } catch (NumberFormatException e) {
            return Verification.rejected("malformed " + TIMESTAMP_HEADER + ": not epoch seconds");
        }
        long skewSeconds = now.getEpochSecond() - sentAtSeconds;
        if (skewSeconds > tolerance.toSeconds()) {
            return Verification.rejected("stale timestamp: older than the " + tolerance.toSeconds() + " s tolerance");
        }
        if (-skewSeconds > tolerance.toSeconds()) {
            return Verification.rejected("future timestamp: ahead by more than the " + tolerance.toSeconds() + " s tolerance");
        }
        List<byte[]> presented = presentedSignatures(signatures.get());
        if (presented.isEmpty()) {
            return Verification.rejected("no v1 signature in " + SIGNATURE_HEADER);
        }
        byte[] signedContent = signedContent(id.get(), timestamp.get().trim(), request.body());
        for (int i = 0; i < activeSecrets.size(); i++) {
            Optional<byte[]> key = decodeSecret(activeSecrets.get(i));
            if (key.isEmpty()) {
                continue;
            }
            byte[] expected = hmacSha256(key.get(), signedContent);
            for (byte[] candidate : presented) {
                if (MessageDigest.isEqual(expected, candidate)) {
                    return Verification.verified(i);
                }
            }
        }
        return Verification.rejected("signature mismatch");
    }

    /** Signs content the way a Standard Webhooks sender does; used by tools that produce sample deliveries. */
    public static String sign(String secret, String id, long timestampSeconds, byte[] body) {
        byte[] key = decodeSecret(secret).orElseThrow(() -> new IllegalArgumentException("not a whsec_ secret"));
        byte[] mac = hmacSha256(key, signedContent(id, Long.toString(timestampSeconds), body));
        return VERSION_PREFIX + Base64.getEncoder().encodeToString(mac);
    }

    private static List<byte[]> presentedSignatures(String header) {
        List<byte[]> result = new ArrayList<>();
        for (String entry : header.trim().split("\\s+")) {
            if (!entry.startsWith(VERSION_PREFIX)) {
                continue; // other versions (e.g. v1a asymmetric) are not ours to check
            }
            try {
                result.add(Base64.getDecoder().decode(entry.substring(VERSION_PREFIX.length())));
            } catch (IllegalArgumentException ignored) {
                // a malformed entry cannot match; keep checking the others
            }
        }
        return result;
    }

    private static byte[] signedContent(String id, String timestamp, byte[] body) {
        byte[] prefix = (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
        byte[] content = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, content, 0, prefix.length);
        System.arraycopy(body, 0, content, prefix.length, body.length);
        return content;
    }

    private static Optional<byte[]> decodeSecret(String secret) {
        String encoded = secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret;
        try {
            byte[] key = Base64.getDecoder().decode(encoded.trim());
            return key.length == 0 ? Optional.empty() : Optional.of(key);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static byte[] hmacSha256(byte[] key, byte[] content) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            return mac.doFinal(content);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
