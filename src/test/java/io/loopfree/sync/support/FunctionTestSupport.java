package io.loopfree.sync.support;

import static io.restassured.RestAssured.given;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import io.restassured.path.json.JsonPath;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Invokes the exported function through Quarkus' mock Lambda event server (the Lambda Runtime API), and
 * inspects the backend the application is configured for with plain SDK clients.
 */
public abstract class FunctionTestSupport {

    protected static JsonPath invoke(String event) {
        int port = ConfigProvider.getConfig()
                .getOptionalValue("quarkus.lambda.mock-event-server.test-port", Integer.class).orElse(8081);
        return given().port(port).contentType("application/json").accept("application/json")
                .body(event)
                .when().post()
                .then().statusCode(200)
                .extract().jsonPath();
    }

    protected static String config(String key) {
        Config config = ConfigProvider.getConfig();
        return config.getValue(key, String.class);
    }

    private static AwsBackend configuredBackend() {
        URI dynamo = URI.create(config("quarkus.dynamodb.endpoint-override"));
        URI sqs = URI.create(config("quarkus.sqs.endpoint-override"));
        return new AwsBackend() {
            @Override
            public URI dynamoEndpoint() {
                return dynamo;
            }

            @Override
            public URI sqsEndpoint() {
                return sqs;
            }

            @Override
            public String name() {
                return "configured";
            }

            @Override
            public void close() {
            }
        };
    }

    protected static DynamoDbClient dynamo() {
        return configuredBackend().dynamoClient();
    }

    protected static SqsClient sqs() {
        return configuredBackend().sqsClient();
    }

    /** One item of the state table (empty map when absent), read consistently. */
    protected static java.util.Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> stateItem(
            String pk, String sk) {
        try (DynamoDbClient dynamo = dynamo()) {
            return dynamo.getItem(b -> b.tableName(SyncResources.STATE_TABLE).consistentRead(true).key(java.util.Map.of(
                    "pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(pk),
                    "sk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(sk)))).item();
        }
    }

    /** One item of the events table (empty map when absent), read consistently. */
    protected static java.util.Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> eventItem(
            String pk) {
        try (DynamoDbClient dynamo = dynamo()) {
            return dynamo.getItem(b -> b.tableName(SyncResources.EVENTS_TABLE).consistentRead(true).key(java.util.Map.of(
                    "pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(pk)))).item();
        }
    }

    /** Receives and deletes everything visible on the queue now. */
    protected static List<Message> drain(String queueUrl, Duration wait) {
        List<Message> all = new ArrayList<>();
        try (SqsClient sqs = sqs()) {
            while (true) {
                List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                        .waitTimeSeconds((int) wait.toSeconds())
                        .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                        .messageAttributeNames("All")).messages();
                if (batch.isEmpty()) {
                    return all;
                }
                all.addAll(batch);
                batch.forEach(m -> sqs.deleteMessage(d -> d.queueUrl(queueUrl).receiptHandle(m.receiptHandle())));
            }
        }
    }
}
