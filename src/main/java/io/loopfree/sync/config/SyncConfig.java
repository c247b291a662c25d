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

    /**
     * URL of the processing queue's dead-letter queue (processor): a deterministic failure (malformed envelope,
     * mapping error, invalid connection) is sent there at once with its cause as message attributes. Unset: such
     * messages are retried until the queue's maxReceiveCount, as every other failure.
     */
    Optional<String> deadLetterQueueUrl();

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

    Relay relay();

    Secrets secrets();

    Connections connections();

    FanOut fanOut();

    Mappings mappings();

    Outbound outbound();
    Priming priming();

    Log log();

    interface Log {
        /**
         * One JSON object per log line (message + MDC fields), read by {@code adapters.logging.JsonLogLines}; the
         * template sets it for the three functions, tests and the local run keep human-readable lines.
         */
        @WithDefault("false")
        boolean json();
    }

    interface Priming {
        /**
         * Whether each function, while it initializes, makes one harmless call with its AWS client and runs its
         * JSON (and JSONata) paths once, so that the first webhook does not pay for class loading and connection
         * set-up (and, with SnapStart, so that the snapshot holds them warm).
         */
        @WithDefault("true")
        boolean enabled();
    }

    Valves valves();

    /** The per-account safety valves: rate-limit breaker, loop detector (docs/safety-valves.md). */
    interface Valves {
        /** Share of a rate-limit window's quota (0..1) at which the account's breaker opens until the reset. */
        @WithDefault("0.9")
        double usageThreshold();

        /** How long a breaker opens when the provider says nothing about its reset. */
        @WithDefault("60s")
        Duration defaultOpen();

        /** How long the one half-open probe holds its claim (a probe whose holder died is claimable after it). */
        @WithDefault("30s")
        Duration probeLease();

        /** A failed probe reopens for backoff-base · 2^trips, at most backoff-max. */
        @WithDefault("30s")
        Duration backoffBase();

        @WithDefault("1h")
        Duration backoffMax();

        /** How long one drain of an account's held writes holds its claim. */
        @WithDefault("60s")
        Duration drainLease();

        /**
         * The queue that carries an account's drain to its breaker's reopen time (a delayed message; the processing
         * queue in the template). Unset: the held writes wait for the account's next message or reconciler run.
         */
        Optional<String> drainQueueUrl();

        Loop loop();

        interface Loop {
            /** The loop detector's counting window (fixed windows, aligned to the epoch). */
            @WithDefault("5m")
            Duration window();

            /** How many previous windows make the account's rolling baseline (their mean). */
            @WithDefault("3")
            int baselineWindows();

            /** The baseline never goes below this many writes per window. */
            @WithDefault("50")
            long floor();

            /** A window whose writes pass factor × baseline suspects a loop. */
            @WithDefault("5")
            double factor();

            /** How long a suspected loop keeps the account's breaker open before a probe. */
            @WithDefault("15m")
            Duration openFor();
        }
    }

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
         * Largest envelope accepted, in bytes of the SQS message (body and attributes). SQS and Lambda's SQS event
         * source mapping take 1 MiB (the queue's {@code MaximumMessageSize}, set to it in infra/template.yaml).
         * Bodies over 64 KiB are gzipped when that saves SQS billing chunks; larger deliveries are refused with 413,
         * never truncated.
         */
        @WithDefault("1048576")
        int maxMessageBytes();

        /** Largest total of one SendMessageBatch request (SQS: 1 MiB). */
        @WithDefault("1048576")
        int maxBatchBytes();

        /**
         * How many times a batch entry SQS failed is sent in all (the first try included) before the delivery is
         * answered 503; bounded so the answer stays inside the providers' deadlines.
         */
        @WithDefault("3")
        int sendAttempts();

        /**
         * A directory of provider profiles ({@code <system>.json}) read before the packaged ones: a deployment adds
         * a provider or overrides a shipped profile without a build.
         */
        Optional<String> profilesDir();

        /**
         * The public base URL providers call (e.g. {@code https://hooks.example.com}), for the schemes that sign the
         * URL (HubSpot v3, Twilio), when it cannot be rebuilt from the request: a custom domain whose API mapping
         * changes the path, or a proxy in front. A profile's own {@code publicBaseUrl} wins over it.
         */
        Optional<String> publicBaseUrl();
    }

    interface Secrets {
        /** Where webhook secrets come from: {@code config} (environment, local runs) or {@code ssm} (AWS). */
        @WithDefault("config")
        Source source();

        /**
         * SSM parameter name prefix: the secrets of a tenant are the SecureString
         * {@code <prefix><system>/<tenant>} (comma-separated, newest first), other purposes
         * {@code <prefix><system>/<tenant>/<purpose>}. Environment: {@code SYNC_SECRETS_SSM_PREFIX}.
         */
        @WithDefault("/loopfree/webhook-secrets/")
        String ssmPrefix();

        /** How long secrets found are kept before they are read again (a rotation takes effect within it). */
        @WithDefault("5m")
        Duration cacheTtl();

        /** How long "no such tenant" is kept: shorter, but long enough that unknown tenants cannot hammer SSM. */
        @WithDefault("30s")
        Duration negativeCacheTtl();

        /** Upper bound on cached (system, tenant, purpose) entries per instance. */
        @WithDefault("10000")
        int cacheMaxEntries();

        enum Source {
            config,
            ssm
        }
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

    interface Connections {
        /** How long an instance keeps a connection it read: a console edit takes effect within it. */
        @WithDefault("30s")
        Duration cacheTtl();
    }

    interface FanOut {
        /**
         * The time one message may spend on outbound calls (retries included), after which its remaining writes stay
         * pending for the redelivery. Keep it well inside the dedup lease and the function timeout.
         */
        @WithDefault("12s")
        Duration budget();

        /** Attempts of one pending write (deliveries and reconciler runs) before it is marked failed. */
        @WithDefault("5")
        int maxAttempts();
    }

    interface Mappings {
        /**
         * A directory of processor mappings ({@code <system>.json}) read before the packaged ones: a deployment
         * adds a provider or adjusts one without a build.
         */
        Optional<String> dir();
    }

    /** The outbound HTTP adapter (writes, fetches and listings against the systems' APIs). */
    interface Outbound {
        /**
         * A directory of outbound profiles ({@code <profile>.json}) read before the packaged {@code outbound/} ones:
         * a deployment adds or overrides a target's API description without a build.
         */
        Optional<String> profilesDir();

        /** TCP (and TLS) connect timeout of the HTTP client. */
        @WithDefault("2s")
        Duration connectTimeout();

        /** Upper bound of one attempt; every attempt is also bounded by the call's deadline. */
        @WithDefault("10s")
        Duration requestTimeout();

        /** Attempts of one call in all (the first included) on 5xx, timeouts and connection failures; never on 4xx. */
        @WithDefault("3")
        int maxAttempts();

        /** Full-jitter backoff: attempt n waits a random time in [0, min(max-backoff, base-backoff · 2^(n-1))). */
        @WithDefault("200ms")
        Duration baseBackoff();

        @WithDefault("2s")
        Duration maxBackoff();
    }

    interface Reconciler {
        /**
         * Restricts the jobs (which come from the connections) to these {@code system:account:resource} patterns
         * ({@code *} matches any part); not set = every job whose system's outbound profile can list.
         */
        Optional<List<String>> jobs();

        /** Listed from the last successful run's start minus this, so a record stamped by a skewed clock is not missed. */
        @WithDefault("2m")
        Duration skewBuffer();

        /**
         * How long one invocation lists at most before it checkpoints its cursor and stops cleanly (the next run
         * resumes). Under the managed Java runtime the Lambda context's remaining time also bounds it (minus
         * {@link #deadlineMargin()}); the native runtime's poll loop does not expose the context, so there this
         * budget is the only bound: keep it well below the function's timeout (the template sets it from that).
         */
        @WithDefault("10m")
        Duration timeBudget();

        /**
         * Listing stops this long before the invocation's deadline (Lambda context): room to store the watermark
         * and retry the account's pending writes ({@link #drainBudget()}) after the page in flight.
         */
        @WithDefault("75s")
        Duration deadlineMargin();

        /** How long a run holds its job: longer than the time budget plus the pending-write drain. */
        @WithDefault("15m")
        Duration lease();

        /** The time one run may spend retrying the account's pending outbound writes after listing. */
        @WithDefault("60s")
        Duration drainBudget();
    }

    /** The relay function (Salesforce Change Data Capture through Amazon EventBridge): docs/reconciler.md. */
    interface Relay {
        /** The system the relayed events belong to: its mapping reads them, its profile fetches gap records. */
        @WithDefault("salesforce")
        String system();

        /**
         * Which tenant each Salesforce org's events belong to: {@code <orgId>=<tenant>} entries (the org id the
         * partner event source names, {@code aws.partner/salesforce.com/<orgId>/<channelId>}; 15 or 18 characters,
         * either matches). Set by the template from {@code SalesforceOrgTenants}.
         */
        Optional<List<String>> tenants();
    }
}
