package io.loopfree.sync.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;

import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.MDC;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.loopfree.sync.adapters.logging.JsonLogLines;

/** The JSON log line: one parseable object with the message (escaped) and every MDC field; off by default. */
class JsonLogLinesTest {

    @Test
    void aRecordBecomesOneJsonObjectWithItsMdcFieldsWhenEnabled() throws Exception {
        MDC.put("eventId", "evt_1");
        MDC.put("outcome", "failed:mapping-error");
        try {
            ExtLogRecord record = new ExtLogRecord(Level.SEVERE, "processed eventId=%s outcome=%s cause=\"%s\"",
                    ExtLogRecord.FormatStyle.PRINTF, JsonLogLinesTest.class.getName());
            record.setParameters(new Object[] { "evt_1", "failed:mapping-error", "occurredAt \"x\"\nbad" });
            record.setLoggerName("io.loopfree.sync.functions.ProcessorFunction");
            record.setThrown(new IllegalStateException("boom"));

            assertThat(new JsonLogLines(true).isLoggable(record)).isTrue();

            JsonNode line = new ObjectMapper().readTree(record.getFormattedMessage());
            assertThat(line.path("level").asText()).isEqualTo("SEVERE");
            assertThat(line.path("logger").asText()).isEqualTo("io.loopfree.sync.functions.ProcessorFunction");
            assertThat(line.path("message").asText()).isEqualTo(
                    "processed eventId=evt_1 outcome=failed:mapping-error cause=\"occurredAt \"x\"\nbad\"");
            assertThat(line.path("eventId").asText()).isEqualTo("evt_1");
            assertThat(line.path("outcome").asText()).isEqualTo("failed:mapping-error");
            assertThat(line.path("exception").asText()).contains("IllegalStateException: boom");
            assertThat(line.path("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            assertThat(record.getFormattedMessage()).doesNotContain("\n");
            assertThat(record.getThrown()).as("folded into the line").isNull();
        } finally {
            MDC.remove("eventId");
            MDC.remove("outcome");
        }
    }

    @Test
    void disabledItLeavesTheRecordAlone() {
        ExtLogRecord record = new ExtLogRecord(Level.INFO, "processed outcome=applied", JsonLogLinesTest.class.getName());
        assertThat(new JsonLogLines(false).isLoggable(record)).isTrue();
        assertThat(record.getFormattedMessage()).isEqualTo("processed outcome=applied");
    }

    @Test
    void anEmfMetricLineStaysTheWholeLineSoCloudWatchReadsItAsEmf() {
        String emf = "{\"_aws\":{\"CloudWatchMetrics\":[]},\"FunctionName\":\"local\",\"EventsApplied\":1.0}";
        MDC.put("eventId", "evt_1");
        try {
            ExtLogRecord record = new ExtLogRecord(Level.INFO, emf, ExtLogRecord.FormatStyle.NO_FORMAT,
                    JsonLogLinesTest.class.getName());
            record.setLoggerName(io.loopfree.sync.adapters.metrics.EmfMetrics.LOGGER);
            assertThat(new JsonLogLines(true).isLoggable(record)).isTrue();
            assertThat(record.getFormattedMessage()).as("not wrapped in a message field, no MDC").isEqualTo(emf);
        } finally {
            MDC.remove("eventId");
        }
    }
}
