package io.loopfree.sync.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.loopfree.sync.app.ProcessingMetrics;
import io.loopfree.sync.support.Fixtures;
import io.loopfree.sync.support.FunctionTestSupport;
import io.loopfree.sync.support.Profiles;
import io.loopfree.sync.support.SyncResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The processor over its recorded SQS batches: the first delivery is applied, an identical one is no net change,
 * a redelivery is a duplicate; poison messages become batch item failures.
 */
@QuarkusTest
@TestProfile(Profiles.Processor.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProcessorFunctionTest extends FunctionTestSupport {

    @Inject
    ProcessingMetrics metrics;

    @Test
    @Order(1)
    void firstDeliveriesAreClaimedWithATimeToLive() {
        long appliedBefore = metrics.count("applied");
        long noChangeBefore = metrics.count("dropped:no-change");

        JsonPath response = invoke(Fixtures.event("processor", "sqs-batch-valid.json"));

        assertThat(response.getList("batchItemFailures")).isEmpty();
        // two events with the same contact state: the first is applied, the second changes nothing
        assertThat(metrics.count("applied")).isEqualTo(appliedBefore + 1);
        assertThat(metrics.count("dropped:no-change")).isEqualTo(noChangeBefore + 1);
        Map<String, AttributeValue> item = dedupItem("EVENT#app#acme#msg_proc_first01");
        assertThat(item.get("type").s()).isEqualTo("DEDUP");
        assertThat(item.get("status").s()).isEqualTo("DONE");
        assertThat(item.get("outcome").s()).isEqualTo("applied");
        assertThat(item.get("eventId").s()).isEqualTo("msg_proc_first01");
        assertThat(item.get("firstSeenAt").s()).isEqualTo("2026-11-20T10:00:30.000Z");
        long expectedExpiry = Fixtures.REPLAYED_AT.plusSeconds(72 * 3600).getEpochSecond();
        assertThat(Long.parseLong(item.get(SyncResources.TTL_ATTRIBUTE).n())).isEqualTo(expectedExpiry);
        assertThat(item.get("expiresAtIso").s()).isEqualTo("2026-11-23T10:00:30.000Z");
        assertThat(dedupItem("EVENT#app#acme#msg_proc_second02").get("outcome").s()).isEqualTo("dropped:no-change");
        Map<String, AttributeValue> state = stateItem("RECORD#acme#contact#app:c_42");
        assertThat(state.get("type").s()).isEqualTo("SYNC_STATE");
        assertThat(state.get("systems").m().get("app").m().get("fields").m().get("email").s()).isEqualTo("ada@example.com");
    }

    @Test
    @Order(2)
    void aDuplicateDeliveryIsDroppedAndCountedOnce() {
        long duplicatesBefore = metrics.count("dropped:duplicate");
        long appliedBefore = metrics.count("applied");

        JsonPath response = invoke(Fixtures.event("processor", "sqs-batch-duplicate.json"));

        assertThat(response.getList("batchItemFailures")).isEmpty();
        assertThat(metrics.count("dropped:duplicate")).isEqualTo(duplicatesBefore + 1);
        assertThat(metrics.count("applied")).isEqualTo(appliedBefore);
        // the first claim is kept, not overwritten by the duplicate
        assertThat(dedupItem("EVENT#app#acme#msg_proc_first01").get("firstSeenAt").s())
                .isEqualTo("2026-11-20T10:00:30.000Z");
    }

    @Test
    @Order(3)
    void poisonMessagesAreReportedAsBatchItemFailuresWithoutFailingTheirBatch() {
        JsonPath response = invoke(Fixtures.event("processor", "sqs-batch-poison.json"));

        assertThat(response.getList("batchItemFailures.itemIdentifier", String.class))
                .containsExactlyInAnyOrder("6a1f5c2e-0005-4c1b-9a53-000000000005", "6a1f5c2e-0006-4c1b-9a53-000000000006");
        assertThat(dedupItem("EVENT#app#acme#msg_proc_third03")).as("the good message of the batch").isNotEmpty();
        assertThat(metrics.count("failed:malformed-envelope")).isGreaterThanOrEqualTo(2);
    }

    private static Map<String, AttributeValue> stateItem(String pk) {
        try (DynamoDbClient dynamo = dynamo()) {
            return dynamo.getItem(b -> b.tableName(SyncResources.STATE_TABLE)
                    .key(Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS("STATE")))
                    .consistentRead(true)).item();
        }
    }

    private static Map<String, AttributeValue> dedupItem(String pk) {
        try (DynamoDbClient dynamo = dynamo()) {
            return dynamo.getItem(b -> b.tableName(SyncResources.EVENTS_TABLE)
                    .key(Map.of("pk", AttributeValue.fromS(pk))).consistentRead(true)).item();
        }
    }
}
