package io.loopfree.sync.adapters.secrets;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import io.loopfree.sync.ports.SecretStore;

/**
 * Keeps what a slower secret store answered for a bounded time, per (system, tenant, purpose): found secrets for
 * {@code ttl} (a rotation takes effect within it), "none" for the shorter {@code negativeTtl} so that unknown
 * tenants cannot hammer the store. When the store fails, the last answer is served a while longer (stale if
 * error) rather than refusing deliveries we could verify; with no last answer the failure propagates (503).
 */
public class CachingSecretStore implements SecretStore {

    private static final Logger LOG = Logger.getLogger(CachingSecretStore.class);

    private record Key(String system, String tenant, String purpose) {
    }

    private record Entry(List<String> secrets, Instant expiresAt) {
    }

    private final SecretStore source;
    private final Clock clock;
    private final Duration ttl;
    private final Duration negativeTtl;
    private final int maxEntries;
    private final Map<Key, Entry> entries = new ConcurrentHashMap<>();

    public CachingSecretStore(SecretStore source, Clock clock, Duration ttl, Duration negativeTtl, int maxEntries) {
        if (ttl.isNegative() || negativeTtl.isNegative() || maxEntries < 1) {
            throw new IllegalArgumentException("cache lifetimes must not be negative and maxEntries must be positive");
        }
        this.source = source;
        this.clock = clock;
        this.ttl = ttl;
        this.negativeTtl = negativeTtl;
        this.maxEntries = maxEntries;
    }

    @Override
    public List<String> webhookSecrets(String system, String tenant, String purpose) {
        Key key = new Key(system, tenant, purpose);
        Instant now = clock.instant();
        Entry cached = entries.get(key);
        if (cached != null && now.isBefore(cached.expiresAt())) {
            return cached.secrets();
        }
        List<String> loaded;
        try {
            loaded = List.copyOf(source.webhookSecrets(system, tenant, purpose));
        } catch (SecretStoreUnavailableException e) {
            if (cached != null) {
                LOG.warnf("secret store unavailable, serving the expired cache entry system=%s tenant=%s purpose=%s: %s",
                        system, tenant, purpose, e.getMessage());
                return cached.secrets();
            }
            throw e;
        }
        makeRoom(now);
        entries.put(key, new Entry(loaded, now.plus(loaded.isEmpty() ? negativeTtl : ttl)));
        return loaded;
    }

    /** Number of entries held, expired ones included until evicted. */
    public int size() {
        return entries.size();
    }

    private void makeRoom(Instant now) {
        if (entries.size() < maxEntries) {
            return;
        }
        entries.values().removeIf(entry -> !now.isBefore(entry.expiresAt()));
        Iterator<Key> keys = entries.keySet().iterator();
        while (entries.size() >= maxEntries && keys.hasNext()) {
            keys.next();
            keys.remove();
        }
    }
}
