package io.loopfree.sync.support;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The signing secrets of tenant {@code acme} for every shipped provider profile, as the recorded fixtures under
 * {@code functions/ingress/events/<provider>-*.json} were signed. Where a provider's documentation publishes an
 * example secret (GitHub, Slack, Twilio, Graph's clientState, Standard Webhooks), that one is used, so the
 * published examples replay as they are.
 */
public final class ProviderSecrets {

    public static final String TENANT = "acme";
    public static final String STRIPE = "whsec_stripe_acme_current_7f3a9c";
    public static final String STRIPE_PREVIOUS = "whsec_stripe_acme_previous_2b81d0";
    /** GitHub's "Testing the webhook payload validation" secret. */
    public static final String GITHUB = "It's a Secret to Everybody";
    /** Slack's "Verifying requests from Slack" example signing secret. */
    public static final String SLACK = "8f742231b10e8888abcd99yyyzzz85a5";
    public static final String HUBSPOT = "4a1f6c2e-9b3d-4e7a-8c55-1d2e3f4a5b6c";
    public static final String SHOPIFY = "shpss_acme_0d9c8b7a6f5e4d3c";
    /** The clientState of Microsoft Graph's subscription example. */
    public static final String GRAPH_CLIENT_STATE = "SecretClientState";
    public static final String ZOOM = "zoom_acme_secret_token_5Xq2";
    public static final String SMARTSHEET = "smartsheet_acme_shared_secret_q7";
    public static final String META_APP_SECRET = "meta_acme_app_secret_91c2";
    public static final String META_VERIFY_TOKEN = "meta-acme-verify-token";
    /** The auth token of Twilio's helper-library validation example. */
    public static final String TWILIO = "12345";
    public static final String GENERIC_HMAC = "generic_acme_secret";
    /** Only known to the deployment test's profiles directory. */
    public static final String ERP = "erp_acme_secret_k3";

    private ProviderSecrets() {
    }

    /** Configuration keys as {@code ConfigSecretStore} reads them (the environment form is WEBHOOK_SECRETS_...). */
    public static Map<String, String> applicationConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put(key("stripe"), STRIPE + "," + STRIPE_PREVIOUS);
        config.put(key("github"), GITHUB);
        config.put(key("slack"), SLACK);
        config.put(key("hubspot"), HUBSPOT);
        config.put(key("shopify"), SHOPIFY);
        config.put(key("graph"), GRAPH_CLIENT_STATE);
        config.put(key("zoom"), ZOOM);
        config.put(key("smartsheet"), SMARTSHEET);
        config.put(key("meta"), META_APP_SECRET);
        config.put(key("meta") + ".verify-token", META_VERIFY_TOKEN);
        config.put(key("twilio"), TWILIO);
        config.put(key("generic-hmac"), GENERIC_HMAC);
        config.put(key("erp"), ERP);
        return config;
    }

    private static String key(String system) {
        return "webhook-secrets." + system + "." + TENANT;
    }
}
