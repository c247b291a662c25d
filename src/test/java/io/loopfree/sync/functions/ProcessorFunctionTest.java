package io.loopfree.sync.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.loopfree.sync.app.ProcessingMetrics;
import io.loopfree.sync.domain.change.ChangeTooLargeException;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.domain.envelope.EnvelopeCodec;
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
 * a redelivery is a duplicate; poison messages become batch item failures; a change too large to keep is dropped.
 * Every test replays the fixtures under its own event and record ids, so no test depends on another having run.
 */
@QuarkusTest
@TestProfile(Profiles.Processor.class)
class ProcessorFunctionTest extends FunctionTestSupport {

    @Inject
    ProcessingMetrics metrics;

    @Test
    void firstDeliveriesAreClaimedWithATimeToLive() {
        String run = run();

        JsonPath response = invoke(fixture("sqs-batch-valid.json", run));

        assertThat(response.getList("batchItemFailures")).isEmpty();
        // two events with the same contact state: the first is applied, the second changes nothing
        Map<String, AttributeValue> item = dedupItem("EVENT#app#acme#msg_proc_" + run + "_first01");
        assertThat(item.get("type").s()).isEqualTo("DEDUP");
        assertThat(item.get("status").s()).isEqualTo("DONE");
        assertThat(item.get("outcome").s()).isEqualTo("applied");
        assertThat(item.get("eventId").s()).isEqualTo("msg_proc_" + run + "_first01");
        assertThat(item.get("firstSeenAt").s()).isEqualTo("2026-11-20T10:00:30.000Z");
        long expectedExpiry = Fixtures.REPLAYED_AT.plusSeconds(72 * 3600).getEpochSecond();
        assertThat(Long.parseLong(item.get(SyncResources.TTL_ATTRIBUTE).n())).isEqualTo(expectedExpiry);
        assertThat(item.get("expiresAtIso").s()).isEqualTo("2026-11-23T10:00:30.000Z");
        assertThat(dedupItem("EVENT#app#acme#msg_proc_" + run + "_second02").get("outcome").s())
                .isEqualTo("dropped:no-change");
        Map<String, AttributeValue> state = stateItem("RECORD#acme#contact#app:c_42_" + run);
        assertThat(state.get("type").s()).isEqualTo("SYNC_STATE");
        assertThat(state.get("version").n()).isEqualTo("1");
        assertThat(state.get("systems").m().get("app").m().get("fields").m().get("email").s()).isEqualTo("ada@example.com");
    }

    @Test
    void aDuplicateDeliveryIsDroppedAndCountedOnce() {
        String run = run();
        assertThat(invoke(fixture("sqs-batch-valid.json", run)).getList("batchItemFailures")).isEmpty();
        long duplicatesBefore = metrics.count("dropped:duplicate");
        long appliedBefore = metrics.count("applied");

        JsonPath response = invoke(fixture("sqs-batch-duplicate.json", run));

        assertThat(response.getList("batchItemFailures")).isEmpty();
        assertThat(metrics.count("dropped:duplicate")).isEqualTo(duplicatesBefore + 1);
        assertThat(metrics.count("applied")).isEqualTo(appliedBefore);
        // the first claim is kept, not overwritten by the duplicate; the record was applied once
        assertThat(dedupItem("EVENT#app#acme#msg_proc_" + run + "_first01").get("outcome").s()).isEqualTo("applied");
        assertThat(dedupItem("EVENT#app#acme#msg_proc_" + run + "_first01").get("firstSeenAt").s())
                .isEqualTo("2026-11-20T10:00:30.000Z");
        assertThat(stateItem("RECORD#acme#contact#app:c_42_" + run).get("version").n()).isEqualTo("1");
    }

    @Test
    void poisonMessagesAreReportedAsBatchItemFailuresWithoutFailingTheirBatch() {
        String run = run();
        long malformedBefore = metrics.count("failed:malformed-envelope");

        JsonPath response = invoke(fixture("sqs-batch-poison.json", run));

        assertThat(response.getList("batchItemFailures.itemIdentifier", String.class))
                .containsExactlyInAnyOrder("6a1f5c2e-0005-4c1b-9a53-000000000005", "6a1f5c2e-0006-4c1b-9a53-000000000006");
        assertThat(dedupItem("EVENT#app#acme#msg_proc_" + run + "_third03").get("outcome").s())
                .as("the good message of the batch").isEqualTo("applied");
        assertThat(metrics.count("failed:malformed-envelope")).isEqualTo(malformedBefore + 2);
    }

    @Test
    void aChangeTooLargeToKeepIsDroppedAsOversizeNotRetriedAndNothingIsStored() throws Exception {
        String run = run();
        long oversizeBefore = metrics.count("dropped:oversize");
        // compressible, so it travelled gzipped in one SQS message; its tracked field (480 KB) exceeds the state's
        // budget and even DynamoDB's 400 KB item limit: before, every receive failed on the write, into the DLQ
        String name = "Ada ".repeat(120_000);
        assertThat(name.length()).isGreaterThan(ChangeTooLargeException.MAX_FIELDS_BYTES);
        String body = "{\"type\":\"contact.updated\",\"timestamp\":\"2026-11-20T09:59:58Z\",\"data\":{\"id\":\"c_big_" + run
                + "\",\"email\":\"ada@example.com\",\"name\":\"" + name + "\"}}";
        Envelope envelope = Envelope.of("app", "acme", "msg_big_" + run, Fixtures.REPLAYED_AT,
                Map.of("webhook-id", "msg_big_" + run), body.getBytes(StandardCharsets.UTF_8)).gzipped();
        ObjectMapper json = new ObjectMapper();
        ObjectNode event = (ObjectNode) json.readTree(fixture("sqs-batch-duplicate.json", run));
        ((ObjectNode) event.get("Records").get(0)).put("body", EnvelopeCodec.encode(envelope));

        JsonPath response = invoke(event.toString());

        assertThat(response.getList("batchItemFailures")).as("dropped, so never retried into the DLQ").isEmpty();
        assertThat(metrics.count("dropped:oversize")).isEqualTo(oversizeBefore + 1);
        assertThat(stateItem("RECORD#acme#contact#app:c_big_" + run)).as("no sync state").isEmpty();
        assertThat(dedupItem("EVENT#app#acme#msg_big_" + run)).as("no dedup item").isEmpty();
    }

    /** A fresh suffix for event and record ids. */
    private static String run() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /** A recorded batch with its event ids and record id made unique to one test. */
    private static String fixture(String name, String run) {
        return Fixtures.event("processor", name).replace("msg_proc_", "msg_proc_" + run + "_")
                .replace("c_42", "c_42_" + run);
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
