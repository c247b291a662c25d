package io.loopfree.sync.functions;

import org.testcontainers.junit.jupiter.Testcontainers;

import io.loopfree.sync.support.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * {@link IngressFunctionTest} again, against LocalStack, where a Docker engine exists. Without one JUnit reports it
 * skipped with Testcontainers' reason (Docker is not available); the embedded backend covers the same tests.
 */
@QuarkusTest
@TestProfile(Profiles.IngressOnLocalStack.class)
@Testcontainers(disabledWithoutDocker = true)
class IngressOnLocalStackTest extends IngressFunctionTest {
}
