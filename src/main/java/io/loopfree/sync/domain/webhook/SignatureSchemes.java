package io.loopfree.sync.domain.webhook;

import java.util.Optional;

/** Builds a profile's signature scheme from its parameters. */
public final class SignatureSchemes {

    public static final String HMAC = "hmac";
    public static final String STANDARD_WEBHOOKS = "standard-webhooks";
    public static final String STRIPE = "stripe";
    public static final String TWILIO = "twilio";
    public static final String CLIENT_STATE = "client-state";

    private SignatureSchemes() {
    }

    /**
     * @param deploymentBaseUrl the deployment's public base URL, used when the profile sets none
     * @throws IllegalArgumentException naming what is wrong when the scheme is unknown or its parameters invalid
     */
    public static SignatureScheme forProfile(ProviderProfile profile, Optional<String> deploymentBaseUrl) {
        SignatureSpec spec = profile.signature();
        Optional<String> baseUrl = profile.publicBaseUrl().or(() -> deploymentBaseUrl.filter(u -> !u.isBlank()));
        return switch (spec.scheme()) {
            case HMAC -> new HmacScheme(spec, baseUrl);
            case STANDARD_WEBHOOKS -> new StandardWebhooksScheme(spec.tolerance());
            case STRIPE -> new StripeScheme(spec.header(), spec.tolerance());
            case TWILIO -> new TwilioScheme(spec.header(), baseUrl);
            case CLIENT_STATE -> new ClientStateScheme(spec.itemsPointer(), spec.itemField());
            default -> throw new IllegalArgumentException("profile " + profile.system() + ": unknown signature scheme '"
                    + spec.scheme() + "' (hmac, standard-webhooks, stripe, twilio, client-state)");
        };
    }
}
