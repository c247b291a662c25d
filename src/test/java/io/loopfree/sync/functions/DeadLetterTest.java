package io.loopfree.sync.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.app.ProcessingMetrics;
import io.loopfree.sync.support.Fixtures;
import io.loopfree.sync.support.FunctionTestSupport;
import io.loopfree.sync.support.LogCapture;
import io.loopfree.sync.support.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * Deterministic failures go to the dead-letter queue (ElasticMQ) at once, with why they failed as message
 * attributes, their body unchanged (so a redrive after the fix processes them as the original), and are
 * acknowledged instead of burning the queue's receives; transient failures are still batch item failures.
 */
@QuarkusTest
@TestProfile(Profiles.ProcessorDeadLetters.class)
class DeadLetterTest extends FunctionTestSupport {

    @Inject
    ProcessingMetrics metrics;

    @Test
    void malformedEnvelopesAreDeadLetteredAtOnceWithTheirCause() {
        String dlq = config("sync.dead-letter-queue-url");
        drain(dlq, Duration.ZERO);
        String run = UUID.randomUUID().toString().substring(0, 8);
        long malformed = metrics.count("failed:malformed-envelope");

        JsonPath response;
        List<com.fasterxml.jackson.databind.JsonNode> deadLettered;
        List<com.fasterxml.jackson.databind.JsonNode> failed;
        try (LogCapture logs = LogCapture.start()) {
            response = invoke(Fixtures.event("processor", "sqs-batch-poison.json")
                    .replace("msg_proc_", "msg_proc_" + run + "_").replace("c_42", "c_42_" + run));
            deadLettered = logs.emf("MessagesDeadLettered");
            failed = logs.emf("MessagesFailed");
        }
        assertThat(deadLettered).as("counted as an EMF metric by cause").hasSize(2)
                .allSatisfy(d -> assertThat(d.path("cause").asText()).isEqualTo("malformed-envelope"));
        assertThat(failed).hasSize(2).allSatisfy(d -> assertThat(d.path("cause").asText()).isEqualTo("malformed-envelope"));

        assertThat(response.getList("batchItemFailures")).as("nothing to retry: both poison messages are dead").isEmpty();
        assertThat(metrics.count("failed:malformed-envelope")).as("still counted").isEqualTo(malformed + 2);
        Map<String, Message> letters = drain(dlq, Duration.ofSeconds(1)).stream()
                .collect(Collectors.toMap(m -> attribute(m, "failureDetail") + "|" + m.body(), m -> m));
        assertThat(letters).hasSize(2);
        Message notAnEnvelope = letters.values().stream().filter(m -> m.body().equals("this is not an envelope"))
                .findFirst().orElseThrow();
        assertThat(attribute(notAnEnvelope, "failureCause")).isEqualTo("malformed-envelope");
        assertThat(attribute(notAnEnvelope, "failureLayer")).isEqualTo("decode");
        assertThat(attribute(notAnEnvelope, "receiveCount")).isEqualTo("2");
        assertThat(attribute(notAnEnvelope, "firstReceivedAt")).isEqualTo("2026-11-20T10:00:00.009Z");
        assertThat(attribute(notAnEnvelope, "lastReceivedAt")).isNotBlank();
        assertThat(attribute(notAnEnvelope, "failureDetail")).isNotBlank();
    }

    @Test
    void aMappingErrorIsDeadLetteredWithItsEventSystemAndTenantWhileTheRestOfTheBatchProceeds() {
        String dlq = config("sync.dead-letter-queue-url");
        drain(dlq, Duration.ZERO);
        String event = Fixtures.event("processor", "scenario-mapping-error.json");

        JsonPath response = invoke(event);

        assertThat(response.getList("batchItemFailures")).isEmpty();
        List<Message> letters = drain(dlq, Duration.ofSeconds(1));
        assertThat(letters).extracting(m -> attribute(m, "eventId"))
                .containsExactlyInAnyOrder("1846003001", "evt_unmapped_01");
        Message hubspot = letters.stream().filter(m -> "1846003001".equals(attribute(m, "eventId"))).findFirst()
                .orElseThrow();
        assertThat(attribute(hubspot, "failureCause")).isEqualTo("mapping-error");
        assertThat(attribute(hubspot, "failureLayer")).isEqualTo("normalize");
        assertThat(attribute(hubspot, "system")).isEqualTo("hubspot");
        assertThat(attribute(hubspot, "tenant")).isEqualTo("acme");
        assertThat(attribute(hubspot, "failureDetail")).contains("occurredAt");
        assertThat(hubspot.body()).as("the envelope as the ingress queued it").contains("\"eventId\":\"1846003001\"");
    }

    private static String attribute(Message message, String name) {
        MessageAttributeValue value = message.messageAttributes().get(name);
        return value == null ? null : value.stringValue();
    }
}
