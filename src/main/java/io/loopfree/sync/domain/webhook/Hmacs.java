package io.loopfree.sync.domain.webhook;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The JDK's HMAC and digests, with the few encodings providers use; comparisons are constant-time. */
public final class Hmacs {

    private Hmacs() {
    }

    /** The HMAC algorithms providers sign with, by the names profiles use ({@code SHA-256}, {@code sha1}...). */
    public enum Algorithm {
        SHA1("HmacSHA1"),
        SHA256("HmacSHA256"),
        SHA512("HmacSHA512");

        private final String jcaName;

        Algorithm(String jcaName) {
            this.jcaName = jcaName;
        }

        public static Algorithm parse(String name) {
            String normalized = name.toUpperCase(Locale.ROOT).replace("HMAC", "").replace("-", "").replace("_", "");
            for (Algorithm algorithm : values()) {
                if (algorithm.name().equals(normalized)) {
                    return algorithm;
                }
            }
            throw new IllegalArgumentException("unknown HMAC algorithm '" + name + "' (SHA-1, SHA-256, SHA-512)");
        }

        public byte[] mac(byte[] key, byte[] content) {
            try {
                Mac mac = Mac.getInstance(jcaName);
                mac.init(new SecretKeySpec(key, jcaName));
                return mac.doFinal(content);
            } catch (NoSuchAlgorithmException | InvalidKeyException e) {
                throw new IllegalStateException(jcaName + " unavailable", e);
            }
        }
    }

    /** How a provider writes a MAC into a header. */
    public enum Encoding {
        hex,
        base64;

        /** @throws IllegalArgumentException when the text is not in this encoding */
        public byte[] decode(String text) {
            return switch (this) {
                case hex -> HexFormat.of().parseHex(text);
                case base64 -> java.util.Base64.getDecoder().decode(text);
            };
        }

        public String encode(byte[] bytes) {
            return switch (this) {
                case hex -> HexFormat.of().formatHex(bytes);
                case base64 -> java.util.Base64.getEncoder().encodeToString(bytes);
            };
        }
    }

    public static byte[] hmacSha256(byte[] key, byte[] content) {
        return Algorithm.SHA256.mac(key, content);
    }

    public static String sha256Hex(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** Constant-time, so that a caller cannot learn a secret value byte by byte from response times. */
    public static boolean equal(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    public static boolean equal(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
