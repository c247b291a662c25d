package io.loopfree.sync.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The README's {@code aws dynamodb scan --endpoint-url …} works with whatever credentials and region the user's
 * AWS CLI has: the embedded DynamoDB Local is one shared database, not one per access key.
 */
class EmbeddedAwsTest {

    @Test
    void anyCredentialsAndRegionSeeTheEnginesTables() {
        TestBackends.Started backend = TestBackends.embedded();
        try (DynamoDbClient other = DynamoDbClient.builder().endpointOverride(backend.backend().dynamoEndpoint())
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "other")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
            assertThat(other.listTables().tableNames()).contains(SyncResources.EVENTS_TABLE, SyncResources.STATE_TABLE);
            assertThat(other.scan(b -> b.tableName(SyncResources.EVENTS_TABLE)).count())
                    .isEqualTo(backend.dynamo().scan(b -> b.tableName(SyncResources.EVENTS_TABLE)).count());
        }
    }
}
