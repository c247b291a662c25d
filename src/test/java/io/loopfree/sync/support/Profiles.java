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
}
