package io.loopfree.sync.adapters.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.outbound.OutboundProfile;
import io.loopfree.sync.ports.OutboundProfileRepository;

/**
 * Reads outbound profiles, {@code <profile>.json}: first from the deployment's directory
 * ({@code sync.outbound.profiles-dir}, if set), then from {@code outbound/} on the classpath (packaged into the
 * native image by {@code quarkus.native.resources.includes}). Read once per instance and kept; an invalid one fails
 * with a message naming the file and the field.
 */
@ApplicationScoped
public class JsonOutboundProfileRepository implements OutboundProfileRepository {

    private static final Pattern PROFILE_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, OutboundProfile> cache = new ConcurrentHashMap<>();
    private final Map<String, String> sources = new ConcurrentHashMap<>();
    private final Optional<Path> directory;

    @Inject
    public JsonOutboundProfileRepository(SyncConfig config) {
        this(config.outbound().profilesDir().filter(d -> !d.isBlank()).map(Path::of));
    }

    public JsonOutboundProfileRepository(Optional<Path> directory) {
        this.directory = directory;
    }

    /** @throws InvalidOutboundProfileException when the profile exists but is not valid */
    @Override
    public Optional<OutboundProfile> find(String profile) {
        if (profile == null || !PROFILE_NAME.matcher(profile).matches()) {
            return Optional.empty();
        }
        OutboundProfile cached = cache.get(profile);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<OutboundProfile> loaded = load(profile);
        loaded.ifPresent(p -> cache.put(profile, p));
        return loaded;
    }

    @Override
    public String source(String profile) {
        return sources.getOrDefault(profile, OutboundProfileRepository.super.source(profile));
    }

    private Optional<OutboundProfile> load(String profile) {
        String file = profile + ".json";
        if (directory.isPresent()) {
            Path path = directory.get().resolve(file);
            if (Files.isRegularFile(path)) {
                try (InputStream in = Files.newInputStream(path)) {
                    return Optional.of(parse(profile, path.toString(), in));
                } catch (IOException e) {
                    throw new UncheckedIOException("unreadable outbound profile " + path, e);
                }
            }
        }
        String resource = "outbound/" + file;
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
            return in == null ? Optional.empty() : Optional.of(parse(profile, "classpath:" + resource, in));
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable outbound profile " + resource, e);
        }
    }

    private OutboundProfile parse(String profile, String origin, InputStream in) throws IOException {
        sources.put(profile, origin);
        try {
            return OutboundProfileParser.parse(profile, json.readTree(in));
        } catch (IllegalArgumentException e) {
            throw new InvalidOutboundProfileException("outbound profile " + origin + ": " + e.getMessage());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidOutboundProfileException("outbound profile " + origin + " is not JSON: " + e.getOriginalMessage());
        }
    }

    public static final class InvalidOutboundProfileException extends IllegalArgumentException {
        public InvalidOutboundProfileException(String message) {
            super(message);
        }
    }
}
