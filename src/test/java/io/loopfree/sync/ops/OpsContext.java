package io.loopfree.sync.ops;

import java.io.PrintWriter;
import java.net.URI;
import java.time.Clock;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** What every command shares: the clients (built on first use), table and queue names, the clock, who acts. */
final class OpsContext implements AutoCloseable {

    final String eventsTable;
    final String stateTable;
    final String queueUrl;
    final String dlqUrl;
    final String who;
    final Clock clock;
    final PrintWriter out;
    private final URI dynamoEndpoint;
    private final URI sqsEndpoint;
    private final String region;
    private DynamoDbClient dynamo;
    private SqsClient sqs;

    OpsContext(LoopfreeOps options, PrintWriter out, Clock clock) {
        this.eventsTable = options.eventsTable;
        this.stateTable = options.stateTable;
        this.queueUrl = options.queueUrl;
        this.dlqUrl = options.dlqUrl;
        this.who = options.who;
        this.dynamoEndpoint = options.dynamoEndpoint != null ? options.dynamoEndpoint : options.endpoint;
        this.sqsEndpoint = options.sqsEndpoint != null ? options.sqsEndpoint : options.endpoint;
        // a local endpoint needs some region (and must not probe instance metadata for one)
        this.region = options.region != null ? options.region
                : (dynamoEndpoint != null || sqsEndpoint != null) ? "us-east-1" : null;
        this.out = out;
        this.clock = clock;
    }

    synchronized DynamoDbClient dynamo() {
        if (dynamo == null) {
            var builder = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create())
                    .credentialsProvider(credentials(dynamoEndpoint));
            if (region != null) {
                builder.region(Region.of(region));
            }
            if (dynamoEndpoint != null) {
                builder.endpointOverride(dynamoEndpoint);
            }
            dynamo = builder.build();
        }
        return dynamo;
    }

    synchronized SqsClient sqs() {
        if (sqs == null) {
            var builder = SqsClient.builder().httpClient(UrlConnectionHttpClient.create())
                    .credentialsProvider(credentials(sqsEndpoint));
            if (region != null) {
                builder.region(Region.of(region));
            }
            if (sqsEndpoint != null) {
                builder.endpointOverride(sqsEndpoint);
            }
            sqs = builder.build();
        }
        return sqs;
    }

    String requireDlq() {
        if (dlqUrl == null) {
            throw new OpsException("give the dead-letter queue: --dlq-url (or LOOPFREE_DLQ_URL)");
        }
        return dlqUrl;
    }

    /** AWS: the default chain. A local endpoint (DynamoDB Local, ElasticMQ): the chain, else any static pair. */
    private static AwsCredentialsProvider credentials(URI endpoint) {
        if (endpoint == null) {
            return DefaultCredentialsProvider.builder().build();
        }
        // no instance metadata probes against a local endpoint: environment, system properties, profile, else any pair
        return AwsCredentialsProviderChain.of(EnvironmentVariableCredentialsProvider.create(),
                SystemPropertyCredentialsProvider.create(), ProfileCredentialsProvider.create(),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")));
    }

    @Override
    public void close() {
        if (dynamo != null) {
            dynamo.close();
        }
        if (sqs != null) {
            sqs.close();
        }
    }

    /** A failure the operator can act on: printed without a stack trace, exit code 2. */
    static final class OpsException extends RuntimeException {
        OpsException(String message) {
            super(message);
        }
    }
}
