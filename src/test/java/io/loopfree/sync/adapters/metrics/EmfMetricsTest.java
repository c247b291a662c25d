package io.loopfree.sync.adapters.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;


/** The EMF document CloudWatch reads from the log line: namespace, dimension sets, values, bounded text. */
class EmfMetricsTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-20T10:00:05Z"), ZoneOffset.UTC);

    @Test
    void aDatapointWithDimensionsIsRecordedUnderTheFunctionAloneAndUnderTheFunctionWithThem() throws Exception {
        List<String> lines = new ArrayList<>();
        EmfMetrics metrics = new EmfMetrics(CLOCK, "loopfree-prod-processor", lines::add);
        Map<String, String> dimensions = new LinkedHashMap<>();
        dimensions.put("system", "hubspot");
        dimensions.put("outcome", "applied");

        metrics.emit("MessagesProcessed", 1, "Count", dimensions, Map.of("record", "contact/app:c_42"));

        assertThat(lines).hasSize(1);
        JsonNode doc = JSON.readTree(lines.get(0));
        JsonNode directive = doc.path("_aws").path("CloudWatchMetrics").path(0);
        assertThat(doc.path("_aws").path("Timestamp").asLong()).isEqualTo(CLOCK.millis());
        assertThat(directive.path("Namespace").asText()).isEqualTo("LoopfreeSync");
        assertThat(JSON.convertValue(directive.path("Dimensions"), List.class))
                .isEqualTo(List.of(List.of("FunctionName"), List.of("FunctionName", "system", "outcome")));
        assertThat(directive.path("Metrics").path(0).path("Name").asText()).isEqualTo("MessagesProcessed");
        assertThat(directive.path("Metrics").path(0).path("Unit").asText()).isEqualTo("Count");
        assertThat(doc.path("FunctionName").asText()).isEqualTo("loopfree-prod-processor");
        assertThat(doc.path("system").asText()).isEqualTo("hubspot");
        assertThat(doc.path("outcome").asText()).isEqualTo("applied");
        assertThat(doc.path("record").asText()).as("a property, not a dimension").isEqualTo("contact/app:c_42");
        assertThat(doc.path("MessagesProcessed").asDouble()).isEqualTo(1.0);
    }

    @Test
    void withoutDimensionsOnlyTheFunctionAndValuesAreBoundedAndNeverEmpty() throws Exception {
        List<String> lines = new ArrayList<>();
        EmfMetrics metrics = new EmfMetrics(CLOCK, "local", lines::add);

        metrics.emit("OutboundWritesPerAccount", 251, "Count", Map.of("account", "acme#hubspot#62515"));
        metrics.emit("EchoesDropped", 1, "Count", Map.of("layer", "", "FunctionName", "spoofed"),
                Map.of("detail", "x".repeat(5000)));

        JsonNode first = JSON.readTree(lines.get(0));
        assertThat(JSON.convertValue(first.path("_aws").path("CloudWatchMetrics").path(0).path("Dimensions"), List.class))
                .isEqualTo(List.of(List.of("FunctionName")));
        assertThat(first.path("account").asText()).isEqualTo("acme#hubspot#62515");
        JsonNode second = JSON.readTree(lines.get(1));
        assertThat(second.path("layer").asText()).as("CloudWatch refuses an empty dimension value").isEqualTo("-");
        assertThat(second.path("FunctionName").asText()).isEqualTo("local");
        assertThat(second.path("detail").asText()).hasSize(1000);
    }
}
