package io.loopfree.sync.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.adapters.dynamodb.ConnectionSeeds;
import io.loopfree.sync.app.ProcessingMetrics;
import io.loopfree.sync.support.Fixtures;
import io.loopfree.sync.support.FunctionTestSupport;
import io.loopfree.sync.support.Profiles;
import io.loopfree.sync.support.SyncResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Merges re-point identity links (recorded HubSpot contact.merge), and a connection's per-tenant mapping overrides
 * (recorded Salesforce change events marking our write in a custom field), through the Lambda runtime API.
 */
@QuarkusTest
@TestProfile(MergesAndOverridesTest.LongTtls.class)
class MergesAndOverridesTest extends FunctionTestSupport {

    public static class LongTtls extends Profiles.Processor {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("sync.dedup.ttl", "3650d");
            return config;
        }
    }

    @Inject
    ProcessingMetrics metrics;

    @Test
    void aMergeRePointsTheMergedRecordsLinkSoItsLaterChangesLandOnTheSurvivor() {
        assertThat(invoke(Fixtures.event("processor", "scenario-merge-loser-before.json")).getList("batchItemFailures"))
                .isEmpty();
        assertThat(stateItem("RECORD#merger#contact#hubspot:1246999", "STATE")).as("known on its own before the merge")
                .isNotEmpty();

        assertThat(invoke(Fixtures.event("processor", "scenario-merge.json")).getList("batchItemFailures")).isEmpty();
        assertThat(stateItem("LINK#merger#contact#hubspot#1246999", "LINK").get("canonicalKey").s())
                .isEqualTo("hubspot:1246965");
        assertThat(eventItem("EVENT#hubspot#merger#1846009002").get("outcome").s()).isEqualTo("applied");

        assertThat(invoke(Fixtures.event("processor", "scenario-merge-loser-after.json")).getList("batchItemFailures"))
                .isEmpty();
        Map<String, AttributeValue> survivor = stateItem("RECORD#merger#contact#hubspot:1246965", "STATE");
        assertThat(survivor.get("systems").m().get("hubspot").m().get("fields").m().get("phone").s())
                .isEqualTo("+44 20 7946 0000");
        assertThat(stateItem("RECORD#merger#contact#hubspot:1246999", "STATE").get("version").n())
                .as("nothing more lands on the merged record").isEqualTo("1");
    }

    @Test
    void aTenantsOverrideReadsOurTagFromItsCustomFieldAndOtherTenantsKeepTheShippedMapping() {
        seed("""
                [{"tenant": "globex", "resource": "contact",
                  "systems": [{"system": "salesforce", "account": "00D-globex", "profile": "salesforce-contacts",
                               "params": {"instanceUrl": "http://127.0.0.1:1"}}],
                  "overrides": {"salesforce": {"changeAgent": "payload.payload.Integration_Source__c"}}},
                 {"tenant": "initech", "resource": "contact",
                  "systems": [{"system": "salesforce", "account": "00D-initech", "profile": "salesforce-contacts",
                               "params": {"instanceUrl": "http://127.0.0.1:1"}}]}]
                """);
        long agent = metrics.count("dropped:echo-agent");
        long applied = metrics.count("applied");

        assertThat(invoke(Fixtures.event("processor", "scenario-override-globex.json")).getList("batchItemFailures"))
                .isEmpty();
        assertThat(metrics.count("dropped:echo-agent")).as("globex marks our writes in Integration_Source__c")
                .isEqualTo(agent + 1);

        assertThat(invoke(Fixtures.event("processor", "scenario-override-initech.json")).getList("batchItemFailures"))
                .isEmpty();
        assertThat(metrics.count("applied")).as("initech relies on the integration user: the field means nothing")
                .isEqualTo(applied + 1);
    }

    private static void seed(String connections) {
        try (DynamoDbClient dynamo = dynamo()) {
            ConnectionSeeds.seed(dynamo, SyncResources.STATE_TABLE,
                    new ByteArrayInputStream(connections.getBytes(StandardCharsets.UTF_8)));
        }
    }


}
