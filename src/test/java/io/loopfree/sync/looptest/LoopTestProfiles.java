package io.loopfree.sync.looptest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.loopfree.sync.support.Profiles;
import io.loopfree.sync.support.TestBackends;

/** The processor deployments the loop test runs in: its own queue, the providers' secrets and identities. */
public final class LoopTestProfiles {

    public static final String QUEUE = "loopfree-loop-test";
    /** The loop test's mappings beside the shipped ones: a Stripe mapping a connection can write to. */
    public static final String TEST_MAPPINGS = "src/test/resources/loop-test/mappings";

    private LoopTestProfiles() {
    }

    /** The tenant a provider's check runs in (one connection per tenant and resource). */
    public static String tenant(ProviderBehaviour behaviour, String suffix) {
        return ("lt-" + behaviour.profile() + suffix).replaceAll("[^a-z0-9-]", "-");
    }

    static Map<String, String> base() {
        Map<String, String> config = new HashMap<>(new Profiles.Processor().getConfigOverrides());
        config.put("sync.queue-url", TestBackends.embedded().sqs().createQueue(b -> b.queueName(QUEUE)).queueUrl());
        // beyond DynamoDB Local's TTL sweeper, as FanOutTest does
        config.put("sync.dedup.ttl", "3650d");
        config.put("sync.markers.ttl", "3650d");
        config.put("sync.reconciler.jobs", "*:*:*");
        return config;
    }

    /** Every shipped behaviour (and the broken one) with the test mappings: the CI run. */
    public static class Shipped extends Profiles.Processor {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = base();
            config.put("sync.mappings.dir", TEST_MAPPINGS);
            List<ProviderBehaviour> all = new ArrayList<>();
            ProviderBehaviour.shippedProfiles().forEach(p -> all.add(ProviderBehaviour.shipped(p).orElseThrow()));
            all.add(LoopTestShippedProfilesTest.broken());
            for (ProviderBehaviour behaviour : all) {
                config.putAll(LoopCheck.configFor(behaviour, List.of(tenant(behaviour, ""), tenant(behaviour, "-2"),
                        tenant(behaviour, "-broken"))));
            }
            return config;
        }
    }

    /** The command: the user's directories and their provider's secrets and identity. */
    public static class Command extends Profiles.Processor {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = base();
            LoopTestArgs args = LoopTestArgs.parse(LoopTestArgs.given().orElse(List.of()));
            if (args.problem().isPresent()) {
                return config; // reported by the command itself
            }
            config.putAll(args.config());
            try {
                ProviderBehaviour behaviour = args.resolveBehaviour();
                config.putAll(LoopCheck.configFor(behaviour, List.of(tenant(behaviour, ""))));
            } catch (RuntimeException e) {
                // reported by the command itself
            }
            return config;
        }
    }
}
