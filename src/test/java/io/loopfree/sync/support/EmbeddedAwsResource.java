package io.loopfree.sync.support;

import java.time.Duration;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points the application at DynamoDB Local + ElasticMQ started in the test JVM (once per JVM, shared by every
 * test class), with the tables and queues created as the infra template creates them.
 */
public class EmbeddedAwsResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return TestBackends.embedded().applicationConfig();
    }

    @Override
    public void stop() {
        // shared for the whole JVM; stopped by a shutdown hook
    }

    /** The visibility timeout of the test queue: short, so redelivery tests finish quickly. */
    static final Duration VISIBILITY_TIMEOUT = Duration.ofSeconds(2);
}
