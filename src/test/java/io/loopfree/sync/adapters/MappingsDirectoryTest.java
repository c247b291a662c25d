package io.loopfree.sync.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.loopfree.sync.adapters.mapping.ClasspathMappingRepository;
import io.loopfree.sync.config.SyncConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** A deployment adds or adjusts a provider's mapping with a file in {@code sync.mappings.dir}, no build. */
class MappingsDirectoryTest {

    @Test
    void aFileInTheDirectoryWinsOverThePackagedOneAndAddsNewSystems(@TempDir Path dir) throws IOException {
        String packaged = new String(getClass().getClassLoader().getResourceAsStream("mappings/sandbox-rich.json")
                .readAllBytes(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("acme-crm.json"),
                packaged.replace("\"system\": \"sandbox-rich\"", "\"system\": \"acme-crm\""));
        Files.writeString(dir.resolve("sandbox-rich.json"), packaged.replace("\\\"lastName\\\": lastname",
                "\\\"lastName\\\": $uppercase(lastname)"));

        ClasspathMappingRepository mappings = new ClasspathMappingRepository(config(dir));

        assertThat(mappings.find("acme-crm")).as("a system no build ships").isPresent();
        assertThat(mappings.find("sandbox-rich").orElseThrow().fieldMapping("contact").orElseThrow()
                .toUnified(io.loopfree.sync.domain.change.FieldSet.of(Map.of("lastname", "Lovelace"))))
                .containsEntry("lastName", "LOVELACE");
        assertThat(mappings.find("hubspot")).as("the packaged ones still there").isPresent();
    }

    private static SyncConfig config(Path dir) {
        return new SmallRyeConfigBuilder().withMapping(SyncConfig.class)
                .withConverter(Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withDefaultValues(Map.of("sync.mappings.dir", dir.toString()))
                .build().getConfigMapping(SyncConfig.class);
    }
}
