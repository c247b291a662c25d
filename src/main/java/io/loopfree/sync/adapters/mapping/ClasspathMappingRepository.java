package io.loopfree.sync.adapters.mapping;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.loopfree.sync.domain.text.Names;
import io.loopfree.sync.domain.change.ChangeMapping;
import io.loopfree.sync.domain.change.FieldType;
import io.loopfree.sync.domain.change.MappingException;
import io.loopfree.sync.ports.MappingRepository;

/**
 * Reads provider mappings from {@code <sync.mappings.dir>/<system>.json} when that directory is set and has the
 * file, else from {@code mappings/<system>.json} on the classpath (packaged into the native image by
 * {@code quarkus.native.resources.includes}); each is parsed and its expressions compiled once per instance.
 * An invalid mapping file is reported as a {@link MappingException} (the message fails with that cause), and is
 * read again on the next message, so a fixed deployment needs no restart logic.
 */
@ApplicationScoped
public class ClasspathMappingRepository implements MappingRepository {


    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, Optional<ChangeMapping>> cache = new ConcurrentHashMap<>();
    private final Optional<java.nio.file.Path> dir;

    /** Packaged mappings only (tests, benchmarks). */
    public ClasspathMappingRepository() {
        this.dir = Optional.empty();
    }

    @jakarta.inject.Inject
    public ClasspathMappingRepository(io.loopfree.sync.config.SyncConfig config) {
        this.dir = config.mappings().dir().filter(d -> !d.isBlank()).map(java.nio.file.Path::of);
    }

    @Override
    public Optional<ChangeMapping> find(String system) {
        if (!Names.isValid(system)) {
            return Optional.empty();
        }
        return cache.computeIfAbsent(system, this::load);
    }

    private Optional<ChangeMapping> load(String system) {
        if (dir.isPresent()) {
            java.nio.file.Path file = dir.get().resolve(system + ".json");
            if (java.nio.file.Files.isRegularFile(file)) {
                try (InputStream in = java.nio.file.Files.newInputStream(file)) {
                    return Optional.of(parse(system, json.readTree(in)));
                } catch (IOException e) {
                    throw new UncheckedIOException("unreadable provider mapping " + file, e);
                }
            }
        }
        String resource = "mappings/" + system + ".json";
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            return Optional.of(parse(system, json.readTree(in)));
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable provider mapping " + resource, e);
        }
    }

    /** Visible for the mapping tests, which read every shipped file through here. */
    public static ChangeMapping parse(String system, JsonNode file) {
        if (!system.equals(file.path("system").asText())) {
            throw new MappingException("mapping " + system + ": \"system\" must be \"" + system + "\"");
        }
        JsonNode defaults = file.path("defaults");
        List<JsonataChangeMapping.Rule> rules = new ArrayList<>();
        for (JsonNode rule : file.path("rules")) {
            rules.add(rule(system, defaults, rule));
        }
        if (rules.isEmpty()) {
            throw new MappingException("mapping " + system + ": no rules");
        }
        Map<String, JsonataChangeMapping.ResourceSection> resources = new HashMap<>();
        file.path("resources").fields().forEachRemaining(entry -> resources.put(entry.getKey(),
                resource(system, entry.getKey(), entry.getValue())));
        return new JsonataChangeMapping(system,
                optional(system, "eventType", file.path("eventType")),
                optional(system, "ignore", file.path("ignore")),
                rules, resources);
    }

    private static JsonataChangeMapping.ResourceSection resource(String system, String resource, JsonNode section) {
        Map<String, JsonataChangeMapping.Expression> fetched = new HashMap<>();
        for (String key : JsonataChangeMapping.FETCHED) {
            JsonataChangeMapping.Expression expression = optional(system, resource + " fetched " + key,
                    section.path("fetched").path(key));
            if (expression != null) {
                fetched.put(key, expression);
            }
        }
        return new JsonataChangeMapping.ResourceSection(
                optional(system, resource + " toUnified", section.path("toUnified")),
                optional(system, resource + " fromUnified", section.path("fromUnified")),
                fetched);
    }

    private static JsonataChangeMapping.Rule rule(String system, JsonNode defaults, JsonNode rule) {
        String name = rule.path("name").asText("");
        String resource = rule.path("resource").asText("");
        if (name.isBlank() || resource.isBlank() || !rule.path("when").isTextual()) {
            throw new MappingException("mapping " + system + ": every rule needs \"name\", \"when\" and \"resource\"");
        }
        Map<String, JsonataChangeMapping.Expression> expressions = new HashMap<>();
        for (String key : JsonataChangeMapping.EXPRESSIONS) {
            JsonNode source = expression(rule, key);
            if (source.isMissingNode()) {
                source = expression(defaults, key);
            }
            if (source.isTextual()) {
                expressions.put(key, JsonataChangeMapping.Expression.compile(system, "rule " + name + " " + key,
                        source.asText()));
            }
        }
        boolean skinny = rule.path("skinny").asBoolean(false);
        Map<String, FieldType> tracked = new LinkedHashMap<>();
        rule.path("tracked").fields().forEachRemaining(e -> {
            try {
                tracked.put(e.getKey(), FieldType.parse(e.getValue().asText()));
            } catch (IllegalArgumentException bad) {
                throw new MappingException("mapping " + system + " rule " + name + ": " + bad.getMessage());
            }
        });
        if (!skinny && (tracked.isEmpty() || !expressions.containsKey("fields"))) {
            throw new MappingException("mapping " + system + " rule " + name
                    + ": a rule that is not skinny needs \"fields\" and \"tracked\"");
        }
        for (String required : List.of("recordId", "occurredAt")) {
            if (!expressions.containsKey(required)) {
                throw new MappingException("mapping " + system + " rule " + name + ": \"" + required + "\" is required");
            }
        }
        return new JsonataChangeMapping.Rule(name,
                JsonataChangeMapping.Expression.compile(system, "rule " + name + " when", rule.path("when").asText()),
                resource, expressions, skinny, rule.path("partial").asBoolean(false), tracked);
    }

    /** {@code actor.kind} lives at {@code "actor": {"kind": …}} in the file. */
    private static JsonNode expression(JsonNode node, String key) {
        int dot = key.indexOf('.');
        return dot < 0 ? node.path(key) : node.path(key.substring(0, dot)).path(key.substring(dot + 1));
    }

    private static JsonataChangeMapping.Expression optional(String system, String where, JsonNode source) {
        return source.isTextual() ? JsonataChangeMapping.Expression.compile(system, where, source.asText()) : null;
    }
}
