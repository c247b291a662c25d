package io.loopfree.sync.domain.change;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * A record's tracked fields, normalized ({@link FieldType}), in name order. Its {@link #hash()} is what the
 * no-change layer and the correlation markers compare: equal states hash equal whatever quirks the provider's
 * payload had.
 */
public final class FieldSet {

    public static final FieldSet EMPTY = new FieldSet(Map.of());

    private final Map<String, Object> values;

    private FieldSet(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    /** @param normalized values already normalized by their {@link FieldType} (nulls allowed) */
    public static FieldSet of(Map<String, ?> normalized) {
        return new FieldSet(new TreeMap<>(normalized));
    }

    public Map<String, Object> values() {
        return values;
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** These fields, with every field of {@code newer} replacing or adding to them (a partial change applied). */
    public FieldSet overlay(FieldSet newer) {
        Map<String, Object> merged = new TreeMap<>(values);
        merged.putAll(newer.values);
        return new FieldSet(merged);
    }

    public String canonicalJson() {
        return CanonicalJson.write(values);
    }

    /** SHA-256 of the canonical JSON, as lower-case hex. */
    public String hash() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(canonicalJson().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FieldSet that && canonicalJson().equals(that.canonicalJson());
    }

    @Override
    public int hashCode() {
        return canonicalJson().hashCode();
    }

    @Override
    public String toString() {
        return canonicalJson();
    }
}
