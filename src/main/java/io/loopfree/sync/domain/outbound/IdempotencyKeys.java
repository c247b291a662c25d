package io.loopfree.sync.domain.outbound;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

import io.loopfree.sync.domain.change.CanonicalJson;

/**
 * The idempotency key of an outbound write: a hash of what the write is (target, record, action, the canonical
 * JSON of the fields written) and of the sync-state version that produced it. The same write retried carries the
 * same key, so a provider that honours {@code Idempotency-Key} applies it once; the same fields written again by
 * a later change (a value set back) get another key, so the provider does not answer it from its replay cache.
 */
public final class IdempotencyKeys {

    private IdempotencyKeys() {
    }

    public static String of(OutboundTarget target, String resource, String canonicalKey, OutboundWrite.Action action,
            Map<String, Object> fields, long recordVersion) {
        String material = String.join("\n", target.system(), target.account(), resource, canonicalKey, action.name(),
                Long.toString(recordVersion), CanonicalJson.write(fields));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(material.getBytes(StandardCharsets.UTF_8));
            return "loopfree-" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
