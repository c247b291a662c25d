package io.loopfree.sync.support;

import java.util.HashMap;
import java.util.Map;

import io.loopfree.sync.config.SyncConfig;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** The engine's configuration mapping built without booting Quarkus: for adapter tests and benchmarks. */
public final class TestConfigs {

    private TestConfigs() {
    }

    public static SyncConfig syncConfig(Map<String, String> values) {
        return config(values).getConfigMapping(SyncConfig.class);
    }

    public static SmallRyeConfig config(Map<String, String> values) {
        Map<String, String> all = new HashMap<>();
        all.put("sync.queue-url", "http://127.0.0.1:1/000000000000/unused");
        all.putAll(values);
        // Quarkus' converter: durations written like "72h" or "5m", as in application.properties
        return new SmallRyeConfigBuilder().withMapping(SyncConfig.class).withDefaultValues(all)
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .build();
    }
}
