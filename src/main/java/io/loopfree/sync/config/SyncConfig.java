package io.loopfree.sync.config;

import java.time.Duration;
import java.util.List;
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
    }

    interface Reconciler {
        /** Jobs as {@code system:account:resource}; none configured means the run does nothing. */
        Optional<List<String>> jobs();
    }
}
