package io.loopfree.sync.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.support.Fixtures;
import io.loopfree.sync.support.FunctionTestSupport;
import io.loopfree.sync.support.Profiles;
import io.loopfree.sync.support.SyncResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The reconciler over its recorded EventBridge event: loads and saves the watermark of each configured job. */
@QuarkusTest
@TestProfile(Profiles.Reconciler.class)
class ReconcilerFunctionTest extends FunctionTestSupport {

    @Test
    void aScheduledRunRecordsTheWatermarkAndASecondRunAtTheSameInstantKeepsIt() {
        JsonPath first = invoke(Fixtures.event("reconciler", "scheduled-event.json"));

        assertThat(first.getString("scheduledEventId")).isEqualTo("53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa");
        assertThat(first.getString("jobs[0].job")).isEqualTo("WATERMARK#app#acme#contact");
        assertThat(first.getString("jobs[0].previousWatermark")).isNull();
        assertThat(first.getString("jobs[0].watermark")).isEqualTo(Fixtures.REPLAYED_AT.toString());
        assertThat(first.getBoolean("jobs[0].saved")).isTrue();

        Map<String, AttributeValue> item = watermarkItem();
        assertThat(item.get("type").s()).isEqualTo("WATERMARK");
        assertThat(item.get("watermark").s()).isEqualTo("2026-11-20T10:00:30.000Z");
        assertThat(item.get("lastRunStatus").s()).isEqualTo("SUCCEEDED");
        assertThat(item).as("watermarks never expire").doesNotContainKey(SyncResources.TTL_ATTRIBUTE);

        JsonPath second = invoke(Fixtures.event("reconciler", "scheduled-event.json"));
        assertThat(second.getString("jobs[0].previousWatermark")).isEqualTo(Fixtures.REPLAYED_AT.toString());
        assertThat(second.getBoolean("jobs[0].saved")).as("not newer than the stored run").isFalse();
        assertThat(watermarkItem().get("runs").n()).isEqualTo("1");
    }

    private static Map<String, AttributeValue> watermarkItem() {
        try (DynamoDbClient dynamo = dynamo()) {
            return dynamo.getItem(b -> b.tableName(SyncResources.STATE_TABLE).consistentRead(true)
                    .key(Map.of("pk", AttributeValue.fromS("WATERMARK#app#acme#contact"),
                            "sk", AttributeValue.fromS("WATERMARK")))).item();
        }
    }
}
