package io.loopfree.sync.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.stream.Stream;

import org.jboss.logmanager.ExtLogRecord;

import com.fasterxml.jackson.databind.JsonNode;

import io.loopfree.sync.adapters.metrics.EmfMetrics;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Captures every log record at INFO and above in this JVM (a handler on the root logger of the JBoss LogManager
 * the tests run under), as the line an operator would read: the message, every MDC field, the exception.
 */
public final class LogCapture extends Handler implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> SECRET_HEADERS = Set.of("authorization", "stripe-signature", "webhook-signature",
            "x-hub-signature", "x-hub-signature-256", "x-slack-signature", "x-hubspot-signature",
            "x-hubspot-signature-v3", "x-shopify-hmac-sha256", "x-twilio-signature", "x-zm-signature",
            "smartsheet-hmac-sha256", "x-signature", "x-erp-signature");

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<String> emfLines = new CopyOnWriteArrayList<>();

    public static LogCapture start() {
        LogCapture capture = new LogCapture();
        capture.setLevel(Level.INFO);
        java.util.logging.Logger.getLogger("").addHandler(capture);
        return capture;
    }

    @Override
    public void publish(LogRecord record) {
        if (record.getLevel().intValue() < Level.INFO.intValue()) {
            return;
        }
        if (EmfMetrics.LOGGER.equals(record.getLoggerName()) && record instanceof ExtLogRecord emf) {
            emfLines.add(emf.getFormattedMessage());
        }
        StringBuilder line = new StringBuilder(record.getLevel() + " " + record.getLoggerName() + " ");
        if (record instanceof ExtLogRecord ext) {
            line.append(ext.getFormattedMessage());
            ext.getMdcCopy().forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
        } else {
            line.append(record.getMessage());
        }
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            line.append('\n').append(trace);
        }
        lines.add(line.toString());
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** The Embedded Metric Format documents of one metric, as CloudWatch would read them (the whole line). */
    public List<JsonNode> emf(String metric) {
        List<JsonNode> documents = new ArrayList<>();
        for (String line : emfLines) {
            try {
                JsonNode document = JSON.readTree(line);
                if (document.path("_aws").path("CloudWatchMetrics").path(0).path("Metrics").path(0).path("Name")
                        .asText().equals(metric)) {
                    documents.add(document);
                }
            } catch (IOException e) {
                throw new AssertionError("not an EMF document: " + line, e);
            }
        }
        return documents;
    }

    /** Fails naming the first line that contains any of the values (each with why it must not be logged). */
    public void assertNoneContains(Map<String, String> forbidden) {
        assertThat(lines).as("log lines captured").isNotEmpty();
        for (String line : lines) {
            for (Map.Entry<String, String> value : forbidden.entrySet()) {
                assertThat(line).as("a log line contains %s", value.getValue()).doesNotContain(value.getKey());
            }
        }
    }

    /** Every test secret: the static String constants of {@link ProviderSecrets} and {@link Fixtures}' secrets. */
    public static Map<String, String> knownSecrets() {
        Map<String, String> secrets = new java.util.LinkedHashMap<>();
        for (Field field : ProviderSecrets.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class
                    && !field.getName().equals("TENANT")) {
                try {
                    field.setAccessible(true);
                    String secret = (String) field.get(null);
                    if (secret.length() >= 8) { // Twilio's test token "12345" would match any number
                        secrets.put(secret, "the secret ProviderSecrets." + field.getName());
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        secrets.put(Fixtures.CURRENT_SECRET, "the webhook secret");
        secrets.put(Fixtures.PREVIOUS_SECRET, "the previous webhook secret");
        secrets.put("whsec_", "a Standard Webhooks secret prefix");
        secrets.put(Fixtures.CURRENT_SECRET.substring("whsec_".length()), "the webhook secret's key");
        return secrets;
    }

    /**
     * From the recorded API Gateway events of one function: signature and authorization header values, and whole
     * request bodies (raw and base64) longer than 40 characters.
     */
    public static Map<String, String> requestSecretsAndBodies(String function) throws IOException {
        Map<String, String> forbidden = new java.util.LinkedHashMap<>();
        try (Stream<Path> files = Files.list(Path.of("functions", function, "events"))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                JsonNode event = JSON.readTree(file.toFile());
                for (Iterator<Map.Entry<String, JsonNode>> it = event.path("headers").fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> header = it.next();
                    String name = header.getKey().toLowerCase(java.util.Locale.ROOT);
                    boolean signature = SECRET_HEADERS.contains(name) || name.contains("signature") || name.contains("hmac");
                    if (signature && !name.contains("timestamp") && !name.contains("version")
                            && header.getValue().asText().length() >= 8) {
                        forbidden.put(header.getValue().asText(), name + " of " + file.getFileName());
                    }
                }
                String body = event.path("body").asText("");
                if (body.length() > 40) {
                    forbidden.put(body, "the whole body of " + file.getFileName());
                    if (event.path("isBase64Encoded").asBoolean()) {
                        try {
                            String decoded = new String(Base64.getDecoder().decode(body), java.nio.charset.StandardCharsets.UTF_8);
                            if (decoded.length() > 40) {
                                forbidden.put(decoded, "the decoded body of " + file.getFileName());
                            }
                        } catch (IllegalArgumentException e) {
                            // a deliberately malformed base64 fixture
                        }
                    }
                }
            }
        }
        return forbidden;
    }

    /** Whole provider payloads (the envelopes' bodies) of the processor's recorded SQS batches. */
    public static Map<String, String> envelopeBodies() throws IOException {
        Map<String, String> forbidden = new java.util.LinkedHashMap<>();
        try (Stream<Path> files = Files.list(Path.of("functions", "processor", "events"))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                for (JsonNode record : JSON.readTree(file.toFile()).path("Records")) {
                    List<String> bodies = new ArrayList<>();
                    try {
                        JsonNode envelope = JSON.readTree(record.path("body").asText());
                        bodies.add(envelope.path("body").asText(""));
                    } catch (IOException e) {
                        bodies.add(record.path("body").asText(""));
                    }
                    bodies.stream().filter(b -> b.length() > 40)
                            .forEach(b -> forbidden.put(b, "the whole payload of " + file.getFileName()));
                }
            }
        }
        return forbidden;
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        java.util.logging.Logger.getLogger("").removeHandler(this);
    }
}
