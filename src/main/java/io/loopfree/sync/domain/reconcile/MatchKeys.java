package io.loopfree.sync.domain.reconcile;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.loopfree.sync.domain.connection.MatchRule;

/**
 * The normalized match key of a record at initial matching: each key field's unified value as text, Unicode
 * NFKC, trimmed, inner whitespace collapsed; an e-mail field (its name contains {@code email}) also lower-cased
 * (whole address: providers treat the local part case-insensitively in practice). Two key fields are joined: both
 * must be equal. A record missing a key value has no key: it cannot be matched (it is synced as a new record).
 */
public final class MatchKeys {

    /** Between the parts of a two-field key: a character no normalized value keeps (control characters go). */
    static final String SEPARATOR = "\u001f";

    private MatchKeys() {
    }

    public static Optional<String> of(MatchRule rule, Map<String, Object> unified) {
        StringBuilder key = new StringBuilder();
        for (String field : rule.keys()) {
            Optional<String> part = normalize(field, unified.get(field));
            if (part.isEmpty()) {
                return Optional.empty();
            }
            if (key.length() > 0) {
                key.append(SEPARATOR);
            }
            key.append(part.get());
        }
        return Optional.of(key.toString());
    }

    /** One value, normalized as its field says; empty when null or blank. */
    public static Optional<String> normalize(String field, Object value) {
        if (value == null) {
            return Optional.empty();
        }
        String text = Normalizer.normalize(String.valueOf(value), Normalizer.Form.NFKC)
                .replaceAll("\\p{Cntrl}", " ").trim().replaceAll("\\s+", " ");
        if (field.toLowerCase(Locale.ROOT).contains("email")) {
            text = text.toLowerCase(Locale.ROOT);
        }
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    /** A fixed-length digest of a key (hex SHA-256): equal keys sort together wherever they are stored. */
    public static String digest(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    }

    /** The key as an operator reads it in a report: the parts joined by {@code " + "}. */
    public static String readable(String key) {
        return key.replace(SEPARATOR, " + ");
    }
}
