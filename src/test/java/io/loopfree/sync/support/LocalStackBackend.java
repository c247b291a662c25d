package io.loopfree.sync.support;

import java.net.URI;

import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

/** LocalStack in Docker through Testcontainers: the second backend, used only where a Docker engine exists. */
public final class LocalStackBackend implements AwsBackend {

    static final DockerImageName IMAGE = DockerImageName.parse("localstack/localstack:4.4");

    private final LocalStackContainer container;

    private LocalStackBackend(LocalStackContainer container) {
        this.container = container;
    }

    public static LocalStackBackend start() {
        LocalStackContainer container = new LocalStackContainer(IMAGE).withServices("dynamodb", "sqs");
        container.start();
        return new LocalStackBackend(container);
    }

    @Override
    public URI dynamoEndpoint() {
        return container.getEndpoint();
    }

    @Override
    public URI sqsEndpoint() {
        return container.getEndpoint();
    }

    @Override
    public String name() {
        return "LocalStack " + IMAGE.getVersionPart();
    }

    @Override
    public void close() {
        container.stop();
    }
}
