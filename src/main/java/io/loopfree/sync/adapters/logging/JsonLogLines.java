package io.loopfree.sync.adapters.logging;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Filter;
import java.util.logging.LogRecord;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logmanager.ExtLogRecord;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import io.loopfree.sync.adapters.metrics.EmfMetrics;
import io.loopfree.sync.domain.change.FieldType;
import io.quarkus.logging.LoggingFilter;

/**
 * One JSON object per log line, for CloudWatch (Logs Insights discovers its fields):
 * {@code {"timestamp","level","logger","message", <every MDC entry>, "exception"}}. The EMF metric lines
 * ({@code EmfMetrics.LOGGER}) are left as they are: each already is the JSON document CloudWatch must read whole.
 *
 * <p>Why a filter and not Quarkus' JSON formatter: {@code quarkus-logging-json}'s deployment artifact does not
 * resolve from this build's repository, and a Quarkus extension cannot be used without it. A console filter may
 * rewrite the record it is asked about, so this one replaces the message by the JSON text when
 * {@code sync.log.json=true} (the template sets {@code SYNC_LOG_JSON=true} and the console format {@code %s%n});
 * otherwise it does nothing and the lines stay human-readable (tests, the local run). No reflection: Jackson's
 * streaming generator, so it is native-ready. Values are written as they are in the MDC: the functions put only
 * escaped, bounded values there.
 */
@LoggingFilter(name = "json-lines")
public final class JsonLogLines implements Filter {

    private static final JsonFactory JSON = new JsonFactory();

    private final boolean enabled;

    public JsonLogLines(@ConfigProperty(name = "sync.log.json", defaultValue = "false") boolean enabled) {
        this.enabled = enabled;
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        if (!enabled || !(record instanceof ExtLogRecord ext)) {
            return true;
        }
        if (EmfMetrics.LOGGER.equals(ext.getLoggerName())) {
            return true; // already a JSON object, and CloudWatch reads EMF only as the whole line
        }
        ext.setMessage(toJson(ext), ExtLogRecord.FormatStyle.NO_FORMAT);
        ext.setParameters(null);
        ext.setThrown(null);
        return true;
    }

    static String toJson(ExtLogRecord record) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("timestamp", FieldType.formatInstant(Instant.ofEpochMilli(record.getMillis())));
            json.writeStringField("level", record.getLevel().getName());
            json.writeStringField("logger", record.getLoggerName());
            json.writeStringField("message", record.getFormattedMessage());
            Map<String, String> mdc = new TreeMap<>(record.getMdcCopy());
            for (Map.Entry<String, String> entry : mdc.entrySet()) {
                if (!isReserved(entry.getKey())) {
                    json.writeStringField(entry.getKey(), entry.getValue());
                }
            }
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                json.writeStringField("exception", trace.toString());
            }
            json.writeEndObject();
        } catch (IOException e) {
            return record.getFormattedMessage();
        }
        return out.toString();
    }

    private static boolean isReserved(String key) {
        return key.equals("timestamp") || key.equals("level") || key.equals("logger") || key.equals("message")
                || key.equals("exception");
    }
}
