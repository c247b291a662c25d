package io.loopfree.sync.functions;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.support.Fixtures;
import io.loopfree.sync.support.FunctionTestSupport;
import io.loopfree.sync.support.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/** With SQS unreachable a verified delivery gets 503, so the provider retries and nothing is lost. */
@QuarkusTest
@TestProfile(Profiles.IngressQueueDown.class)
class IngressQueueDownTest extends FunctionTestSupport {

    @Test
    void aVerifiedDeliveryIs503WhenTheQueueIsUnreachable() {
        for (int attempt = 0; attempt < 6; attempt++) { // also through the open circuit breaker
            JsonPath response = invoke(Fixtures.event("ingress", "valid.json"));
            assertThat(response.getInt("statusCode")).isEqualTo(503);
            JsonPath body = JsonPath.from(response.getString("body"));
            assertThat(body.getString("error")).isEqualTo("queue_unavailable");
            assertThat(body.getString("reason")).contains("retry");
        }
    }

    @Test
    void aBadSignatureIsStill401WhenTheQueueIsDown() {
        assertThat(invoke(Fixtures.event("ingress", "bad-signature.json")).getInt("statusCode")).isEqualTo(401);
    }
}
