package io.loopfree.sync.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;

import io.loopfree.sync.support.Fixtures;
import io.loopfree.sync.support.FunctionTestSupport;
import io.restassured.path.json.JsonPath;

/** Ingress function tests: each starts with an empty queue, so that what a fixture enqueued can be read exactly. */
abstract class IngressTestSupport extends FunctionTestSupport {

    protected String queueUrl;

    @BeforeEach
    void emptyQueue() {
        queueUrl = config("sync.queue-url");
        drain(queueUrl, Duration.ZERO);
    }

    /** The secrets configured for the test; none may ever appear in a response. */
    protected List<String> configuredSecrets() {
        return List.of();
    }

    /** The fixture is refused with this status, error code and reason, leaks no secret, and enqueues nothing. */
    protected void assertRefused(String fixture, int status, String error, String reasonFragment) {
        refused(fixture, Fixtures.event("ingress", fixture), status, error, reasonFragment);
    }

    /** The event is refused with this status, error code and reason, leaks no secret, and enqueues nothing. */
    protected void assertRefusedEvent(String event, int status, String error, String reasonFragment) {
        refused("event", event, status, error, reasonFragment);
    }

    private void refused(String fixture, String event, int status, String error, String reasonFragment) {
        JsonPath response = invoke(event);
        assertThat(response.getInt("statusCode")).as(fixture + ": " + response.getString("body")).isEqualTo(status);
        JsonPath body = JsonPath.from(response.getString("body"));
        assertThat(body.getString("error")).isEqualTo(error);
        assertThat(body.getString("reason")).contains(reasonFragment).doesNotContain("whsec_");
        configuredSecrets().forEach(secret -> assertThat(response.getString("body")).doesNotContain(secret));
        assertThat(drain(queueUrl, Duration.ZERO)).as("nothing enqueued for " + fixture).isEmpty();
    }
}
