package io.loopfree.sync.support;

import java.net.URI;
import java.time.Duration;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** A place that speaks the DynamoDB and SQS wire protocols: embedded (default) or LocalStack. */
public interface AwsBackend extends AutoCloseable {

    String REGION = "us-east-1";
    String ACCESS_KEY = "test";
    String SECRET_KEY = "test";

    URI dynamoEndpoint();

    URI sqsEndpoint();

    String name();

    @Override
    void close();

    default DynamoDbClient dynamoClient() {
        return DynamoDbClient.builder()
                .endpointOverride(dynamoEndpoint())
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(ClientOverrideConfiguration.builder().apiCallTimeout(Duration.ofSeconds(10)).build())
                .build();
    }

    default SqsClient sqsClient() {
        return SqsClient.builder()
                .endpointOverride(sqsEndpoint())
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(ClientOverrideConfiguration.builder().apiCallTimeout(Duration.ofSeconds(30)).build())
                .build();
    }
}
