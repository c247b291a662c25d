package io.loopfree.sync.functions;

import org.testcontainers.junit.jupiter.Testcontainers;

import io.loopfree.sync.support.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The same function tests against LocalStack, where a Docker engine exists. Without one, JUnit reports them
 * skipped with Testcontainers' reason ("Docker is not available").
 */
final class LocalStackFunctionTests {

    private LocalStackFunctionTests() {
    }

    @QuarkusTest
    @TestProfile(Profiles.IngressOnLocalStack.class)
    @Testcontainers(disabledWithoutDocker = true)
    static class IngressOnLocalStackTest extends IngressFunctionTest {
    }

    @QuarkusTest
    @TestProfile(Profiles.ProcessorOnLocalStack.class)
    @Testcontainers(disabledWithoutDocker = true)
    static class ProcessorOnLocalStackTest extends ProcessorFunctionTest {
    }
}
