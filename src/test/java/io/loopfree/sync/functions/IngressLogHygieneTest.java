package io.loopfree.sync.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.support.Fixtures;
import io.loopfree.sync.support.FunctionTestSupport;
import io.loopfree.sync.support.LogCapture;
import io.loopfree.sync.support.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Every recorded ingress event (valid, forged, stale, malformed, challenges) through the ingress function: no log
 * line at INFO or above contains a secret, a signature or authorization header value, or a whole request body.
 */
@QuarkusTest
@TestProfile(Profiles.Ingress.class)
class IngressLogHygieneTest extends FunctionTestSupport {

    @Test
    void noSecretSignatureOrWholeBodyIsLoggedForAnyRecordedEvent() throws Exception {
        List<String> names;
        try (Stream<Path> files = Files.list(Path.of("functions", "ingress", "events"))) {
            names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList();
        }
        assertThat(names).hasSizeGreaterThan(20);
        try (LogCapture logs = LogCapture.start()) {
            for (String name : names) {
                invoke(Fixtures.event("ingress", name));
            }
            Map<String, String> forbidden = new java.util.LinkedHashMap<>(LogCapture.knownSecrets());
            forbidden.putAll(LogCapture.requestSecretsAndBodies("ingress"));
            logs.assertNoneContains(forbidden);
        }
    }
}
