package io.loopfree.sync.adapters.profiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.loopfree.sync.domain.webhook.ProviderProfile;
import io.loopfree.sync.ports.ProfileRepository;

/**
 * Reads provider profiles from {@code profiles/<system>.json} on the classpath (packaged into the native image
 * by {@code quarkus.native.resources.includes}). A profile is read once per instance and kept.
 */
@ApplicationScoped
public class ClasspathProfileRepository implements ProfileRepository {

    private static final Pattern SYSTEM_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, Optional<ProviderProfile>> cache = new ConcurrentHashMap<>();

    @Override
    public Optional<ProviderProfile> find(String system) {
        if (system == null || !SYSTEM_NAME.matcher(system).matches()) {
            return Optional.empty(); // never turn a path parameter into an arbitrary resource path
        }
        return cache.computeIfAbsent(system, this::load);
    }

    private Optional<ProviderProfile> load(String system) {
        String resource = "profiles/" + system + ".json";
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            return Optional.of(toProfile(system, json.readTree(in)));
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable provider profile " + resource, e);
        }
    }

    private static ProviderProfile toProfile(String system, JsonNode node) {
        JsonNode signature = node.path("signature");
        String scheme = signature.path("scheme").asText("");
        if (scheme.isBlank()) {
            throw new IllegalStateException("profile " + system + ": signature.scheme is required");
        }
        Duration tolerance = Duration.ofSeconds(signature.path("toleranceSeconds").asLong(300));
        List<String> headers = new ArrayList<>();
        node.path("forwardedHeaders").forEach(h -> headers.add(h.asText().toLowerCase(Locale.ROOT)));
        return new ProviderProfile(system, scheme, tolerance, headers);
    }
}
