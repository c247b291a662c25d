package io.loopfree.sync.support;

import java.util.List;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;

/** One profile per exported function and backend: the export is a run-time setting, as in Lambda. */
public final class Profiles {

    private Profiles() {
    }

    abstract static class Export implements QuarkusTestProfile {
        private final String function;
        private final Class<? extends QuarkusTestResourceLifecycleManager> backend;

        Export(String function, Class<? extends QuarkusTestResourceLifecycleManager> backend) {
            this.function = function;
            this.backend = backend;
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.funqy.export", function);
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(backend));
        }
    }

    public static class Ingress extends Export {
        public Ingress() {
            super("ingress", EmbeddedAwsResource.class);
        }
    }

    public static class Processor extends Export {
        public Processor() {
            super("processor", EmbeddedAwsResource.class);
        }
    }

    /** The processor with a dead-letter queue configured: deterministic failures are dead-lettered at once. */
    public static class ProcessorDeadLetters extends Processor {
        public static final String DLQ_NAME = "loopfree-deterministic-dlq";

        @Override
        public Map<String, String> getConfigOverrides() {
            String url = TestBackends.embedded().sqs().createQueue(b -> b.queueName(DLQ_NAME)).queueUrl();
            return Map.of("quarkus.funqy.export", "processor", "sync.dead-letter-queue-url", url);
        }
    }

    public static class Relay extends Export {
        public Relay() {
            super("relay", EmbeddedAwsResource.class);
        }
    }

    public static class Reconciler extends Export {
        public Reconciler() {
            super("reconciler", EmbeddedAwsResource.class);
        }
    }

    public static class IngressOnLocalStack extends Export {
        public IngressOnLocalStack() {
            super("ingress", LocalStackResource.class);
        }
    }

    public static class ProcessorOnLocalStack extends Export {
        public ProcessorOnLocalStack() {
            super("processor", LocalStackResource.class);
        }
    }

    /** The ingress with its queue unreachable (nothing listens on port 1). */
    public static class IngressQueueDown extends Ingress {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.funqy.export", "ingress",
                    "sync.queue-url", "http://127.0.0.1:1/000000000000/loopfree-changes",
                    "quarkus.sqs.endpoint-override", "http://127.0.0.1:1");
        }
    }

    /**
     * The ingress as a deployment may configure it: a profiles directory (a provider that is not shipped, and an
     * override of a shipped one), a public base URL for a custom domain, and small queue messages (so that the
     * gzip fallback and the 413 are exercised with small fixtures).
     */
    public static class IngressDeployment extends Ingress {
        public static final int MAX_MESSAGE_BYTES = 16384;

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.funqy.export", "ingress",
                    "sync.ingress.profiles-dir", "src/test/resources/deployment-profiles",
                    "sync.ingress.public-base-url", "https://hooks.acme.example",
                    "sync.ingress.max-message-bytes", Integer.toString(MAX_MESSAGE_BYTES));
        }
    }
}
