package io.loopfree.sync.support;

import java.util.HashMap;
import java.util.Map;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** One started backend per kind per JVM, with its resources created and clients to inspect it. */
public final class TestBackends {

    public static final int MAX_RECEIVE_COUNT = 3;
    public static final String QUEUE_NAME = "loopfree-changes";

    private static Started embedded;
    private static Started localStack;

    public record Started(AwsBackend backend, DynamoDbClient dynamo, SqsClient sqs, SyncResources.Queues queues) {

        /** The configuration that points the application at this backend. */
        public Map<String, String> applicationConfig() {
            Map<String, String> config = new HashMap<>();
            for (String client : new String[] { "dynamodb", "sqs" }) {
                String endpoint = client.equals("dynamodb") ? backend.dynamoEndpoint().toString()
                        : backend.sqsEndpoint().toString();
                config.put("quarkus." + client + ".endpoint-override", endpoint);
                config.put("quarkus." + client + ".aws.region", AwsBackend.REGION);
                config.put("quarkus." + client + ".aws.credentials.type", "static");
                config.put("quarkus." + client + ".aws.credentials.static-provider.access-key-id", AwsBackend.ACCESS_KEY);
                config.put("quarkus." + client + ".aws.credentials.static-provider.secret-access-key", AwsBackend.SECRET_KEY);
            }
            config.put("sync.queue-url", queues.queueUrl());
            config.put("sync.tables.events", SyncResources.EVENTS_TABLE);
            config.put("sync.tables.state", SyncResources.STATE_TABLE);
            config.put("webhook-secrets.app.acme", Fixtures.CURRENT_SECRET + "," + Fixtures.PREVIOUS_SECRET);
            config.putAll(ProviderSecrets.applicationConfig());
            config.put("sync.reconciler.jobs", "app:acme:contact");
            return config;
        }
    }

    private TestBackends() {
    }

    public static synchronized Started embedded() {
        if (embedded == null) {
            embedded = prepare(EmbeddedAws.start());
        }
        return embedded;
    }

    public static synchronized Started localStack() {
        if (localStack == null) {
            localStack = prepare(LocalStackBackend.start());
        }
        return localStack;
    }

    private static Started prepare(AwsBackend backend) {
        Runtime.getRuntime().addShutdownHook(new Thread(backend::close, "stop-" + backend.getClass().getSimpleName()));
        DynamoDbClient dynamo = backend.dynamoClient();
        SqsClient sqs = backend.sqsClient();
        // the application clock in these tests is the fixtures' recorded time, days before the real one
        SyncResources.createTables(dynamo, false);
        SyncResources.Queues queues = SyncResources.createQueues(sqs, QUEUE_NAME, MAX_RECEIVE_COUNT,
                EmbeddedAwsResource.VISIBILITY_TIMEOUT);
        return new Started(backend, dynamo, sqs, queues);
    }
}
