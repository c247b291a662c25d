package io.loopfree.sync.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Recorded sample events under {@code functions/<function>/events/}; tests replay them as they are.
 * The signed ones were signed at {@link #SIGNED_AT} with the secrets below (Standard Webhooks' published example
 * secret and a second one standing for the previous secret during a rotation).
 */
public final class Fixtures {

    public static final Instant SIGNED_AT = Instant.parse("2026-11-20T10:00:00Z");
    /** The clock the function tests run at: 30 s after the recorded deliveries were signed. */
    public static final Instant REPLAYED_AT = SIGNED_AT.plusSeconds(30);
    public static final String CURRENT_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    public static final String PREVIOUS_SECRET = "whsec_c2VjcmV0LWJlZm9yZS10aGUtcm90YXRpb24tMjAyNg==";

    private Fixtures() {
    }

    /** The body of a recorded API Gateway event as the provider sent it (base64-decoded when it says so). */
    public static byte[] rawBody(String function, String name) {
        try {
            com.fasterxml.jackson.databind.JsonNode event = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(event(function, name));
            String body = event.path("body").asText("");
            return event.path("isBase64Encoded").asBoolean(false) ? java.util.Base64.getDecoder().decode(body)
                    : body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String event(String function, String name) {
        Path path = Path.of("functions", function, "events", name);
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException("missing fixture " + path.toAbsolutePath(), e);
        }
    }
}
