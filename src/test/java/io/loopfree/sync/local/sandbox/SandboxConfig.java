package io.loopfree.sync.local.sandbox;

import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

import io.loopfree.sync.domain.webhook.Hmacs;

/**
 * How one sandbox instance behaves; immutable, start from {@link #of(String, String)} and adjust with the
 * {@code with…} methods. Documented field by field in docs/sandbox.md.
 *
 * @param system the system name this sandbox stands in for, e.g. {@code sandbox-rich}; also the webhooks' default account
 * @param tenant the tenant whose account this is (informational: the tenant is in the webhook URL)
 * @param account the provider account id written into every webhook; default the system name
 * @param webhookUrl where webhooks go, e.g. {@code http://127.0.0.1:8080/webhooks/sandbox-rich/acme}; null = no webhooks
 * @param signing how webhooks are signed
 * @param actorMetadata which actor fields webhooks carry
 * @param echoChangeAgent true: a write's change-agent header comes back as {@code changeAgent} in its webhook (Smartsheet-like)
 * @param skinny true: webhooks carry only ids, type and time, no record
 * @param normalizeValues true: values are normalized on write and timestamps kept in whole seconds (see ValueNormalizer)
 * @param engineToken the bearer token that identifies the engine's credentials; null = no engine access
 * @param engineClientId the engine's OAuth client id, reported as the actor of its writes
 * @param changeAgentHeader the request header carrying the writer's change-agent tag
 * @param externalIdProperty the property upserts by external id match on
 * @param idPrefix record ids are {@code <idPrefix>_<n>}
 * @param webhookDelay how long after a write its webhook is sent
 * @param webhookRetryBackoff the first retry's delay after a 5xx or connection error; doubles per retry
 * @param rateLimitPerWindow engine requests allowed per window; 0 = unlimited
 * @param rateLimitWindow the rate-limit window
 * @param rateLimitHeaders which header family reports the rate limit
 * @param clock the time of writes, webhooks and the rate-limit window
 * @param port the port to listen on (127.0.0.1); 0 = a free port
 * @param payloadFormat the webhook body: the sandbox's own, or the customer app's (so a sandbox can stand in for
 *                      the app in demos and tests)
 * @param varieties     further ways this provider behaves like a real one (each one a {@link Variety})
 */
public record SandboxConfig(
        String system,
        String tenant,
        String account,
        String webhookUrl,
        Signing signing,
        ActorMetadata actorMetadata,
        boolean echoChangeAgent,
        boolean skinny,
        boolean normalizeValues,
        String engineToken,
        String engineClientId,
        String changeAgentHeader,
        String externalIdProperty,
        String idPrefix,
        Duration webhookDelay,
        Duration webhookRetryBackoff,
        int rateLimitPerWindow,
        Duration rateLimitWindow,
        RateLimitHeaders rateLimitHeaders,
        Clock clock,
        int port,
        PayloadFormat payloadFormat,
        Set<Variety> varieties) {

    public static final String DEFAULT_CHANGE_AGENT_HEADER = "X-Change-Agent";
    public static final String DEFAULT_EXTERNAL_ID_PROPERTY = "loopfree_id";

    /** The webhook body a sandbox sends. */
    public enum PayloadFormat {
        /** The sandbox's own format (docs/sandbox.md). */
        SANDBOX,
        /**
         * The customer app's format (docs/processor.md, mapping {@code app}): {@code type}, {@code timestamp},
         * {@code data} (the record), {@code actor} ({@code user} / {@code integration}) unless the actor metadata is
         * {@code NONE}, {@code changeAgent} when echoed.
         */
        APP
    }

    /**
     * A way a real provider behaves that a sandbox can be asked to imitate, beyond the fields above (documented in
     * docs/sandbox.md, "Varieties"). One constant per behaviour, so that adding one does not change every
     * {@code with…} method.
     */
    public enum Variety {
        /**
         * Its integration API updates only by external id ({@code PUT …/by-external-id/…}): the engine's
         * {@code PATCH /api/{resource}/{id}} is answered {@code 405} (people still edit through their UI). With a
         * profile without {@code update}, a record a person created there could only be reached by an upsert that
         * creates a second one.
         */
        UPDATE_BY_EXTERNAL_ID_ONLY,
        /**
         * HubSpot webhooks v3 (event objects as HubSpot documents them, one per request): a create fires a skinny
         * {@code <resource>.creation} then one {@code <resource>.propertyChange} per property it set, an update one
         * {@code propertyChange} per property written, a delete {@code <resource>.deletion}; numeric event ids,
         * {@code portalId}, {@code objectId}, {@code occurredAt} in epoch milliseconds.
         */
        HUBSPOT_WEBHOOKS;
    }

    /** Which actor metadata a provider puts in its webhooks. */
    public enum ActorMetadata {
        /** No actor at all: echoes can only be told apart by markers or state. */
        NONE,
        /**
         * {@code changeSource} ({@code CRM_UI} / {@code INTEGRATION}) and {@code sourceId} ({@code userId:<user>} /
         * the engine's client id).
         */
        HUBSPOT_LIKE,
        /** {@code changeOrigin} = {@code com/salesforce/api/rest/59.0;client=<writer's client id>}. */
        SALESFORCE_LIKE
    }

    /** The signature schemes a sandbox can sign with; both are verified by the ingress's own profiles. */
    public enum SigningScheme {
        /** Standard Webhooks: webhook-id / webhook-timestamp / webhook-signature, {@code whsec_} secret. */
        STANDARD_WEBHOOKS,
        /** HubSpot v3: X-HubSpot-Signature-v3 over method + URI + body + timestamp, client secret. */
        HUBSPOT_V3
    }

    /** A signing scheme and its secret. */
    public record Signing(SigningScheme scheme, String secret) {

        public Signing {
            Objects.requireNonNull(scheme, "scheme");
            if (secret == null || secret.isBlank()) {
                throw new IllegalArgumentException("a signing secret is required");
            }
            if (scheme == SigningScheme.STANDARD_WEBHOOKS && !secret.startsWith("whsec_")) {
                throw new IllegalArgumentException("a Standard Webhooks secret starts with whsec_");
            }
        }

        public static Signing standardWebhooks(String whsecSecret) {
            return new Signing(SigningScheme.STANDARD_WEBHOOKS, whsecSecret);
        }

        public static Signing hubspotV3(String clientSecret) {
            return new Signing(SigningScheme.HUBSPOT_V3, clientSecret);
        }

        @Override
        public String toString() {
            return "Signing[" + scheme + ", secret=***]"; // never print the secret
        }
    }

    public SandboxConfig {
        if (system == null || !system.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("system must be 1-64 of [A-Za-z0-9_-]");
        }
        tenant = tenant == null ? "" : tenant;
        account = account == null || account.isBlank() ? system : account;
        Objects.requireNonNull(signing, "signing");
        actorMetadata = actorMetadata == null ? ActorMetadata.NONE : actorMetadata;
        changeAgentHeader = changeAgentHeader == null || changeAgentHeader.isBlank() ? DEFAULT_CHANGE_AGENT_HEADER
                : changeAgentHeader;
        externalIdProperty = externalIdProperty == null || externalIdProperty.isBlank() ? DEFAULT_EXTERNAL_ID_PROPERTY
                : externalIdProperty;
        idPrefix = idPrefix == null || idPrefix.isBlank() ? defaultIdPrefix(system) : idPrefix;
        webhookDelay = webhookDelay == null || webhookDelay.isNegative() ? Duration.ZERO : webhookDelay;
        webhookRetryBackoff = webhookRetryBackoff == null || webhookRetryBackoff.isNegative()
                ? Duration.ofMillis(200) : webhookRetryBackoff;
        if (rateLimitPerWindow < 0) {
            throw new IllegalArgumentException("rateLimitPerWindow must not be negative");
        }
        rateLimitWindow = rateLimitWindow == null || rateLimitWindow.isZero() || rateLimitWindow.isNegative()
                ? Duration.ofSeconds(10) : rateLimitWindow;
        rateLimitHeaders = rateLimitHeaders == null ? RateLimitHeaders.IETF_DRAFT : rateLimitHeaders;
        clock = clock == null ? Clock.systemUTC() : clock;
        payloadFormat = payloadFormat == null ? PayloadFormat.SANDBOX : payloadFormat;
        varieties = varieties == null || varieties.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(varieties));
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range");
        }
    }

    /**
     * The defaults: Standard Webhooks with a fixed demo secret, no actor metadata, full records, no normalization,
     * engine token {@code engine-token} and client id {@code loopfree-sync}, no webhooks until a URL is set,
     * no rate limit, a free port.
     */
    public static SandboxConfig of(String system, String tenant) {
        return new SandboxConfig(system, tenant, null, null,
                Signing.standardWebhooks("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), ActorMetadata.NONE, false, false,
                false, "engine-token", "loopfree-sync", null, null, null, Duration.ZERO, null, 0, null, null, null, 0,
                PayloadFormat.SANDBOX, Set.of());
    }

    /** Ids that say which system they come from: {@code sandbox-rich} → {@code rich_1}, {@code hubspot} → {@code hub_1}. */
    static String defaultIdPrefix(String system) {
        int dash = system.lastIndexOf('-');
        String word = dash >= 0 && dash < system.length() - 1 ? system.substring(dash + 1)
                : system.substring(0, Math.min(3, system.length()));
        return word.toLowerCase(Locale.ROOT);
    }

    /** Whether the engine's token matches; constant-time. */
    boolean isEngineToken(String token) {
        return engineToken != null && token != null && Hmacs.equal(engineToken, token);
    }

    @Override
    public String toString() {
        return "SandboxConfig[system=" + system + ", tenant=" + tenant + ", webhookUrl=" + webhookUrl + ", " + signing
                + ", actorMetadata=" + actorMetadata + ", echoChangeAgent=" + echoChangeAgent + ", skinny=" + skinny
                + ", normalizeValues=" + normalizeValues + ", engineToken=***]";
    }

    public SandboxConfig withSystem(String system) {
        return new SandboxConfig(system, tenant, account, webhookUrl, signing, actorMetadata, echoChangeAgent, skinny,
                normalizeValues, engineToken, engineClientId, changeAgentHeader, externalIdProperty, idPrefix,
                webhookDelay, webhookRetryBackoff, rateLimitPerWindow, rateLimitWindow, rateLimitHeaders, clock, port, payloadFormat, varieties);
    }

    public SandboxConfig withTenant(String tenant) {
        return new SandboxConfig(system, tenant, account, webhookUrl, signing, actorMetadata, echoChangeAgent, skinny,
                normalizeValues, engineToken, engineClientId, changeAgentHeader, externalIdProperty, idPrefix,
                webhookDelay, webhookRetryBackoff, rateLimitPerWindow, rateLimitWindow, rateLimitHeaders, clock, port, payloadFormat, varieties);
    }

    public SandboxConfig withAccount(String account) {
        return new SandboxConfig(system, tenant, account, webhookUrl, signing, actorMetadata, echoChangeAgent, skinny,
                normalizeValues, engineToken, engineClientId, changeAgentHeader, externalIdProperty, idPrefix,
                webhookDelay, webhookRetryBackoff, rateLimitPerWindow, rateLimitWindow, rateLimitHeaders, clock, port, payloadFormat, varieties);
    }

    public SandboxConfig withWebhookUrl(String webhookUrl) {
        return new SandboxConfig(system, tenant, account, webhookUrl, signing, actorMetadata, echoChangeAgent, skinny,
                normalizeValues, engineToken, engineClientId, changeAgentHeader, externalIdProperty, idPrefix,
                webhookDelay, webhookRetryBackoff, rateLimitPerWindow, rateLimitWindow, rateLimitHeaders, clock, port, payloadFormat, varieties);
    }

    public SandboxConfig withSigning(Signing signing) {
        return new SandboxConfig(system, tenant, account, webhookUrl, signing, actorMetadata, echoChangeAgent, skinny,
                normalizeValues, engineToken, engineClientId, changeAgentHeader, externalIdProperty, idPrefix,
                webhookDelay, webhookRetryBackoff, rateLimitPerWindow, rateLimitWindow, rateLimitHeaders, clock, port, payloadFormat, varieties);
    }

    public SandboxConfig withActorMetadata(ActorMetadata actorMetadata) {
        return new SandboxConfig(system, tenant, account, webhookUrl, signing, actorMetadata, echoChangeAgent, skinny,
                normalizeValues, engineToken, engineClientId, changeAgentHeader, externalIdProperty, idPrefix,
                webhookDelay, webhookRetryBackoff, rateLimitPerWindow, rateLimitWindow, rateLimitHeaders, clock, port, payloadFormat, varieties);
    }

    public SandboxConfig withEchoChangeAgent(boolean echoChangeAgent) {
        return new SandboxConfig(system, tenant, account, webhookUrl, signing, actorMetadata, echoChangeAgent, skinny,
                normalizeValues, engineToken, engineClientId, changeAgentHeader, externalIdProperty, idPrefix,
                webhookDelay, webhookRetryBackoff, rateLimitPerWindow, rateLimitWindow, rateLimitHeaders, clock, port, payloadFormat, varieties);
    }

    public SandboxConfig withSkinny(boolean skinny) {
        return new SandboxConfig(system, tenant, account, webhookUrl, signing, actorMetadata, echoChangeAgent, skinny,
                normalizeValues, engineToken, engineClientId, changeAgentHeader, externalIdProperty, idPrefix,
                webhookDelay, webhookRetryBackoff, rateLimitPerWindow, rateLimitWindow, rateLimitHeaders, clock, port, payloadFormat, varieties);
    }

    public SandboxConfig withNormalizeValues(boolean normalizeValues) {
        return new SandboxConfig(system, tenant, account, webhookUrl, signing, actorMetadata, echoChangeAgent, skinny,
                normalizeValues, engineToken, engineClientId, changeAgentHeader, externalIdProperty, idPrefix,
                webhookDelay, webhookRetryBackoff, rateLimitPerWindow, rateLimitWindow, rateLimitHeaders, clock, port, payloadFormat, varieties);
    }

    public SandboxConfig withEngineToken(String engineToken) {
        return new SandboxConfig(system, tenant, account, webhookUrl, signing, actorMetadata, echoChangeAgent, skinny,
                normalizeValues, engineToken, engineClientId, changeAgentHeader, externalIdProperty, idPrefix,
                webhookDelay, webhookRetryBackoff, rateLimitPerWindow, rateLimitWindow, rateLimitHeaders, clock, port, payloadFormat, varieties);
    }

    public SandboxConfig withEngineClientId(String engineClientId) {
        return new SandboxConfig(system, tenant, account, webhookUrl, signing, actorMetadata, echoChangeAgent, skinny,
                normalizeValues, engineToken, engineClientId, changeAgentHeader, externalIdProperty, idPrefix,
                webhookDelay, webhookRetryBackoff, rateLimitPerWindow, rateLimitWindow, rateLimitHeaders, clock, port, payloadFormat, varieties);
    }

    public SandboxConfig withChangeAgentHeader(String changeAgentHeader) {
        return new SandboxConfig(system, tenant, account, webhookUrl, signing, actorMetadata, echoChangeAgent, skinny,
                normalizeValues, engineToken, engineClientId, changeAgentHeader, externalIdProperty, idPrefix,
                webhookDelay, webhookRetryBackoff, rateLimitPerWindow, rateLimitWindow, rateLimitHeaders, clock, port, payloadFormat, varieties);
    }

    public SandboxConfig withExternalIdProperty(String externalIdProperty) {
        return new SandboxConfig(system, tenant, account, webhookUrl, signing, actorMetadata, echoChangeAgent, skinny,
                normalizeValues, engineToken, engineClientId, changeAgentHeader, externalIdProperty, idPrefix,
                webhookDelay, webhookRetryBackoff, rateLimitPerWindow, rateLimitWindow, rateLimitHeaders, clock, port, payloadFormat, varieties);
    }

    public SandboxConfig withIdPrefix(String idPrefix) {
        return new SandboxConfig(system, tenant, account, webhookUrl, signing, actorMetadata, echoChangeAgent, skinny,
                normalizeValues, engineToken, engineClientId, changeAgentHeader, externalIdProperty, idPrefix,
                webhookDelay, webhookRetryBackoff, rateLimitPerWindow, rateLimitWindow, rateLimitHeaders, clock, port, payloadFormat, varieties);
    }

    public SandboxConfig withWebhookDelay(Duration webhookDelay) {
        return new SandboxConfig(system, tenant, account, webhookUrl, signing, actorMetadata, echoChangeAgent, skinny,
                normalizeValues, engineToken, engineClientId, changeAgentHeader, externalIdProperty, idPrefix,
                webhookDelay, webhookRetryBackoff, rateLimitPerWindow, rateLimitWindow, rateLimitHeaders, clock, port, payloadFormat, varieties);
    }

    public SandboxConfig withWebhookRetryBackoff(Duration webhookRetryBackoff) {
        return new SandboxConfig(system, tenant, account, webhookUrl, signing, actorMetadata, echoChangeAgent, skinny,
                normalizeValues, engineToken, engineClientId, changeAgentHeader, externalIdProperty, idPrefix,
                webhookDelay, webhookRetryBackoff, rateLimitPerWindow, rateLimitWindow, rateLimitHeaders, clock, port, payloadFormat, varieties);
    }

    public SandboxConfig withRateLimitPerWindow(int rateLimitPerWindow) {
        return new SandboxConfig(system, tenant, account, webhookUrl, signing, actorMetadata, echoChangeAgent, skinny,
                normalizeValues, engineToken, engineClientId, changeAgentHeader, externalIdProperty, idPrefix,
                webhookDelay, webhookRetryBackoff, rateLimitPerWindow, rateLimitWindow, rateLimitHeaders, clock, port, payloadFormat, varieties);
    }

    public SandboxConfig withRateLimitWindow(Duration rateLimitWindow) {
        return new SandboxConfig(system, tenant, account, webhookUrl, signing, actorMetadata, echoChangeAgent, skinny,
                normalizeValues, engineToken, engineClientId, changeAgentHeader, externalIdProperty, idPrefix,
                webhookDelay, webhookRetryBackoff, rateLimitPerWindow, rateLimitWindow, rateLimitHeaders, clock, port, payloadFormat, varieties);
    }

    public SandboxConfig withRateLimitHeaders(RateLimitHeaders rateLimitHeaders) {
        return new SandboxConfig(system, tenant, account, webhookUrl, signing, actorMetadata, echoChangeAgent, skinny,
                normalizeValues, engineToken, engineClientId, changeAgentHeader, externalIdProperty, idPrefix,
                webhookDelay, webhookRetryBackoff, rateLimitPerWindow, rateLimitWindow, rateLimitHeaders, clock, port, payloadFormat, varieties);
    }

    public SandboxConfig withClock(Clock clock) {
        return new SandboxConfig(system, tenant, account, webhookUrl, signing, actorMetadata, echoChangeAgent, skinny,
                normalizeValues, engineToken, engineClientId, changeAgentHeader, externalIdProperty, idPrefix,
                webhookDelay, webhookRetryBackoff, rateLimitPerWindow, rateLimitWindow, rateLimitHeaders, clock, port, payloadFormat, varieties);
    }

    public SandboxConfig withPort(int port) {
        return new SandboxConfig(system, tenant, account, webhookUrl, signing, actorMetadata, echoChangeAgent, skinny,
                normalizeValues, engineToken, engineClientId, changeAgentHeader, externalIdProperty, idPrefix,
                webhookDelay, webhookRetryBackoff, rateLimitPerWindow, rateLimitWindow, rateLimitHeaders, clock, port, payloadFormat, varieties);
    }

    /** This config with {@code variety} added to its varieties. */
    public SandboxConfig withVariety(Variety variety) {
        Set<Variety> more = EnumSet.noneOf(Variety.class);
        more.addAll(varieties);
        more.add(variety);
        return new SandboxConfig(system, tenant, account, webhookUrl, signing, actorMetadata, echoChangeAgent, skinny,
                normalizeValues, engineToken, engineClientId, changeAgentHeader, externalIdProperty, idPrefix,
                webhookDelay, webhookRetryBackoff, rateLimitPerWindow, rateLimitWindow, rateLimitHeaders, clock, port,
                payloadFormat, more);
    }

    public boolean has(Variety variety) {
        return varieties.contains(variety);
    }

    public SandboxConfig withPayloadFormat(PayloadFormat payloadFormat) {
        return new SandboxConfig(system, tenant, account, webhookUrl, signing, actorMetadata, echoChangeAgent, skinny,
                normalizeValues, engineToken, engineClientId, changeAgentHeader, externalIdProperty, idPrefix,
                webhookDelay, webhookRetryBackoff, rateLimitPerWindow, rateLimitWindow, rateLimitHeaders, clock, port,
                payloadFormat, varieties);
    }
}
