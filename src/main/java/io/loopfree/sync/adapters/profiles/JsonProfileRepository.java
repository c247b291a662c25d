package io.loopfree.sync.adapters.profiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.loopfree.sync.domain.text.Names;
import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.webhook.ProviderProfile;
import io.loopfree.sync.ports.ProfileRepository;

/**
 * Reads provider profiles, {@code <system>.json}: first from the deployment's directory
 * ({@code sync.ingress.profiles-dir}, if set), then from {@code profiles/} on the classpath (packaged into the
 * native image by {@code quarkus.native.resources.includes}). A profile is read once per instance and kept; an
 * invalid one fails with a message naming the file and the field.
 */
@ApplicationScoped
public class JsonProfileRepository implements ProfileRepository {


    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, ProviderProfile> cache = new ConcurrentHashMap<>();
    private final Optional<Path> directory;

    @Inject
    public JsonProfileRepository(SyncConfig config) {
        this(config.ingress().profilesDir().filter(d -> !d.isBlank()).map(Path::of));
    }

    public JsonProfileRepository(Optional<Path> directory) {
        this.directory = directory;
    }

    /** @throws InvalidProfileException when the profile exists but is not valid */
    @Override
    public Optional<ProviderProfile> find(String system) {
        if (!Names.isValid(system)) {
            return Optional.empty(); // never turn a path parameter into an arbitrary file or resource path
        }
        ProviderProfile cached = cache.get(system);
        if (cached != null) {
            return Optional.of(cached);
        }
        // unknown systems are not cached: their names come from the caller and would grow the map without bound
        Optional<ProviderProfile> loaded = load(system);
        loaded.ifPresent(profile -> cache.put(system, profile));
        return loaded;
    }

    private Optional<ProviderProfile> load(String system) {
        String file = system + ".json";
        if (directory.isPresent()) {
            Path path = directory.get().resolve(file);
            if (Files.isRegularFile(path)) {
                try (InputStream in = Files.newInputStream(path)) {
                    return Optional.of(parse(system, path.toString(), in));
                } catch (IOException e) {
                    throw new UncheckedIOException("unreadable provider profile " + path, e);
                }
            }
        }
        String resource = "profiles/" + file;
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
            return in == null ? Optional.empty() : Optional.of(parse(system, "classpath:" + resource, in));
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable provider profile " + resource, e);
        }
    }

    private ProviderProfile parse(String system, String origin, InputStream in) throws IOException {
        JsonNode node = json.readTree(in);
        try {
            return ProfileParser.parse(system, node);
        } catch (IllegalArgumentException e) {
            throw new InvalidProfileException("provider profile " + origin + ": " + e.getMessage());
        }
    }

    public static final class InvalidProfileException extends RuntimeException {
        public InvalidProfileException(String message) {
            super(message);
        }
    }
}
