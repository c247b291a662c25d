package io.loopfree.sync.support;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Creates the tables and queues the engine needs on a backend, the way infra/template.yaml creates them in AWS:
 * the events table with TTL on {@code expiresAt}, the state table without TTL, the queue with a redrive policy
 * to its dead-letter queue.
 */
public final class SyncResources {

    public static final String EVENTS_TABLE = "loopfree-events";
    public static final String STATE_TABLE = "loopfree-state";
    public static final String TTL_ATTRIBUTE = "expiresAt";

    public record Queues(String queueUrl, String dlqUrl) {
    }

    private SyncResources() {
    }

    /** As in AWS: DynamoDB's TTL sweep deletes expired items (DynamoDB Local does so within seconds). */
    public static void createTables(DynamoDbClient dynamo) {
        createTables(dynamo, true);
    }

    /**
     * @param ttlSweep false for tests that run at a recorded clock (the fixtures' time, in the real past): the
     *        sweep runs on the real clock and would delete items the test just wrote. Expiry itself never depends
     *        on the sweep: every read and condition compares {@code expiresAt} with the application clock.
     */
    public static void createTables(DynamoDbClient dynamo, boolean ttlSweep) {
        createTable(dynamo, EVENTS_TABLE, false);
        if (ttlSweep) {
            dynamo.updateTimeToLive(b -> b.tableName(EVENTS_TABLE)
                    .timeToLiveSpecification(t -> t.attributeName(TTL_ATTRIBUTE).enabled(true)));
        }
        createTable(dynamo, STATE_TABLE, true);
    }

    private static void createTable(DynamoDbClient dynamo, String name, boolean withSortKey) {
        try {
            dynamo.createTable(b -> {
                b.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST);
                if (withSortKey) {
                    b.keySchema(key("pk", KeyType.HASH), key("sk", KeyType.RANGE))
                            .attributeDefinitions(attribute("pk"), attribute("sk"));
                } else {
                    b.keySchema(key("pk", KeyType.HASH)).attributeDefinitions(attribute("pk"));
                }
            });
            dynamo.waiter().waitUntilTableExists(b -> b.tableName(name));
        } catch (ResourceInUseException alreadyThere) {
            // idempotent: a second local run reuses the table
        }
    }

    private static KeySchemaElement key(String name, KeyType type) {
        return KeySchemaElement.builder().attributeName(name).keyType(type).build();
    }

    private static AttributeDefinition attribute(String name) {
        return AttributeDefinition.builder().attributeName(name).attributeType(ScalarAttributeType.S).build();
    }

    /**
     * @param visibilityTimeout how long a received message stays invisible; a batch item failure shows again
     *        after it, as with Lambda's SQS event source mapping
     */
    public static Queues createQueues(SqsClient sqs, String queueName, int maxReceiveCount, Duration visibilityTimeout) {
        String dlqUrl = sqs.createQueue(b -> b.queueName(queueName + "-dlq")
                .attributes(Map.of(QueueAttributeName.MESSAGE_RETENTION_PERIOD, "1209600"))).queueUrl();
        String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        Map<QueueAttributeName, String> attributes = new LinkedHashMap<>();
        attributes.put(QueueAttributeName.VISIBILITY_TIMEOUT, Long.toString(visibilityTimeout.toSeconds()));
        attributes.put(QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}");
        String queueUrl = sqs.createQueue(b -> b.queueName(queueName).attributes(attributes)).queueUrl();
        return new Queues(queueUrl, dlqUrl);
    }
}
