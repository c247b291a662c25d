package io.loopfree.sync.domain.webhook;

import java.util.Optional;

/** Maps a profile's scheme name to its implementation. */
public final class SignatureSchemes {

    public static final String STANDARD_WEBHOOKS = "standard-webhooks";

    private SignatureSchemes() {
    }

    public static Optional<SignatureScheme> forProfile(ProviderProfile profile) {
        return switch (profile.scheme()) {
            case STANDARD_WEBHOOKS -> Optional.of(new StandardWebhooksScheme(profile.tolerance()));
            default -> Optional.empty();
        };
    }
}
