package io.loopfree.sync.domain.outbound;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how the engine writes to one system of a connection: the system and the tenant's account there, the
 * outbound profile (data: {@code outbound/<profile>.json}) that says how to call its API, the secret that
 * authenticates us, and per-connection parameters the profile's templates may use (a base URL for the customer's
 * own app or a sandbox, a Smartsheet sheet id, a Salesforce instance URL…).
 *
 * @param credentialsPurpose the secret store purpose under (system, tenant) holding our API token
 * @param params             values the profile's templates read as {@code {params.<name>}}; {@code baseUrl}
 *                           overrides the profile's
 */
public record OutboundTarget(String tenant, String system, String account, String profile,
        String credentialsPurpose, Map<String, String> params) {

    public static final String DEFAULT_CREDENTIALS = "outbound-token";

    public OutboundTarget {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(system, "system");
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(profile, "profile");
        credentialsPurpose = credentialsPurpose == null || credentialsPurpose.isBlank() ? DEFAULT_CREDENTIALS
                : credentialsPurpose;
        params = params == null ? Map.of() : Map.copyOf(params);
    }

    public Optional<String> param(String name) {
        return Optional.ofNullable(params.get(name));
    }
}
