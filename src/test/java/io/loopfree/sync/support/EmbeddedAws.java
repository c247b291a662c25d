package io.loopfree.sync.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;

import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;

/**
 * DynamoDB Local and ElasticMQ in this JVM, on loopback: the real DynamoDB and SQS wire protocols with no AWS
 * account and no Docker. Ports are chosen free unless given. Any credentials and region see the same tables.
 */
public final class EmbeddedAws implements AwsBackend {

    private final DynamoDBProxyServer dynamo;
    private final SQSRestServer sqs;
    private final int dynamoPort;
    private final int sqsPort;

    private EmbeddedAws(DynamoDBProxyServer dynamo, int dynamoPort, SQSRestServer sqs, int sqsPort) {
        this.dynamo = dynamo;
        this.dynamoPort = dynamoPort;
        this.sqs = sqs;
        this.sqsPort = sqsPort;
    }

    public static EmbeddedAws start() {
        return start(freePort(), freePort());
    }

    public static EmbeddedAws start(int dynamoPort, int sqsPort) {
        try {
            DynamoDBProxyServer dynamo = ServerRunner.createServerFromCommandLineArgs(new String[] {
                    // -sharedDb: one database whatever the credentials and region, so that any AWS CLI profile
                    // sees the engine's tables (without it DynamoDB Local namespaces them by access key)
                    "-inMemory", "-sharedDb", "-disableTelemetry", "-port", Integer.toString(dynamoPort) });
            dynamo.start();
            SQSRestServer sqs = SQSRestServerBuilder
                    .withInterface("127.0.0.1")
                    .withPort(sqsPort)
                    .withServerAddress(new NodeAddress("http", "127.0.0.1", sqsPort, ""))
                    .start();
            sqs.waitUntilStarted();
            return new EmbeddedAws(dynamo, dynamoPort, sqs, sqsPort);
        } catch (Exception e) {
            throw new IllegalStateException("could not start DynamoDB Local / ElasticMQ", e);
        }
    }

    @Override
    public URI dynamoEndpoint() {
        return URI.create("http://127.0.0.1:" + dynamoPort);
    }

    @Override
    public URI sqsEndpoint() {
        return URI.create("http://127.0.0.1:" + sqsPort);
    }

    @Override
    public String name() {
        return "embedded (DynamoDB Local + ElasticMQ)";
    }

    @Override
    public void close() {
        try {
            sqs.stopAndWait();
        } finally {
            try {
                dynamo.stop();
            } catch (Exception e) {
                throw new IllegalStateException("could not stop DynamoDB Local", e);
            }
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
