package io.loopfree.sync.ports;

import java.util.Optional;

import io.loopfree.sync.domain.webhook.ProviderProfile;

/** Provider profiles by system name. */
public interface ProfileRepository {

    Optional<ProviderProfile> find(String system);
}
