package io.loopfree.sync.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The engine's own settings. Every key has an environment-variable form (e.g. {@code sync.queue-url} is
 * {@code SYNC_QUEUE_URL}); those are the names the infra templates set.
 */
@ConfigMapping(prefix = "sync")
public interface SyncConfig {

    /** URL of the processing queue; required by the functions that send to it (ingress, reconciler). */
    Optional<String> queueUrl();

    Tables tables();

    Ingress ingress();

    Dedup dedup();

    Markers markers();

    Echo echo();

    /**
     * Our own integration identities, the actor ids a provider reports for changes made with our credentials:
     * {@code sync.identities.hubspot=987654} (every account of the system), or
     * {@code sync.identities."hubspot.portal-42"=…} (one account). A change by one of them is an echo.
     */
    Map<String, List<String>> identities();

    Apply apply();

    Reconciler reconciler();

    interface Tables {
        /** Short-lived items with TTL on {@code expiresAt}: dedup entries, correlation markers. */
        @WithDefault("loopfree-events")
        String events();

        /** Durable items, no TTL: sync state, watermarks. */
        @WithDefault("loopfree-state")
        String state();
    }

    interface Ingress {
        /**
         * Largest envelope accepted, in bytes of the SQS message body. SQS allows 1 MiB; 256 KiB keeps room for
         * every queue configuration. Larger deliveries are refused with 413, never truncated.
         */
        @WithDefault("262144")
        int maxMessageBytes();
    }

    interface Dedup {
        /** How long an event id is remembered; provider retries and SQS redeliveries fall inside it. */
        @WithDefault("72h")
        Duration ttl();

        /**
         * How long an applied event stays "in progress" while it is handed to fan-out before another delivery
         * may take it over. Must be shorter than the queue's visibility timeout, so that a redelivery after a
         * crash finds the lease expired.
         */
        @WithDefault("20s")
        Duration lease();
    }

    interface Markers {
        /** How long a correlation marker recognises the echo of our write (the provider's webhook latency). */
        @WithDefault("5m")
        Duration ttl();

        /** Per-system override of {@link #ttl()}: {@code sync.markers.system-ttl.salesforce=15m}. */
        Map<String, Duration> systemTtl();

        default Duration ttlFor(String system) {
            return systemTtl().getOrDefault(system, ttl());
        }
    }

    interface Echo {
        /** The change-agent tag every outbound write carries; a change that carries it back is an echo. */
        @WithDefault("loopfree-sync")
        String changeAgent();
    }

    interface Apply {
        /** Read-decide-write rounds for one event when its record is written concurrently (optimistic concurrency). */
        @WithDefault("5")
        int maxAttempts();
    }

    interface Reconciler {
        /** Jobs as {@code system:account:resource}; none configured means the run does nothing. */
        Optional<List<String>> jobs();
    }
}
