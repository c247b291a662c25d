package io.loopfree.sync.ports;

import java.util.Optional;

import io.loopfree.sync.domain.outbound.OutboundProfile;

/** The outbound profiles ({@code outbound/<profile>.json}): how each target's API is called, as data. */
public interface OutboundProfileRepository {

    /**
     * @return empty when there is no such profile
     * @throws IllegalArgumentException (an {@code InvalidOutboundProfileException}) when it exists but is not valid
     */
    Optional<OutboundProfile> find(String profile);

    /** Where the profile was read from, for messages that send a person to the file ({@code classpath:outbound/x.json}). */
    default String source(String profile) {
        return "outbound/" + profile + ".json";
    }
}
