package io.loopfree.sync.adapters.secrets;

import java.time.Clock;

import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.Config;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.ports.SecretStore;
import software.amazon.awssdk.services.ssm.SsmClient;

/** The one {@link SecretStore}: configuration or SSM, per {@code sync.secrets.source}, behind the cache. */
public class SecretStoreProducer {

    @Produces
    @Singleton
    SecretStore secretStore(SyncConfig config, Config mpConfig, Instance<SsmClient> ssm, Clock clock) {
        SyncConfig.Secrets secrets = config.secrets();
        SecretStore source = switch (secrets.source()) {
            case config -> new ConfigSecretStore(mpConfig);
            // looked up only when selected: local runs and tests never build an SSM client
            case ssm -> new SsmSecretStore(ssm.get(), secrets.ssmPrefix());
        };
        return new CachingSecretStore(source, clock, secrets.cacheTtl(), secrets.negativeCacheTtl(),
                secrets.cacheMaxEntries());
    }
}
