package io.loopfree.sync.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every {@code -Dlocal.*} given to Maven reaches the local run; a misspelt one stops it with the list. */
class LocalPropertiesTest {

    @TempDir
    Path dir;

    @Test
    void everyLocalSettingInTheFileBecomesASystemProperty() throws Exception {
        // what antrun's echoproperties writes for ./mvnw -Plocal -Dlocal.demo=false -Dlocal.sqs.port=9425 …
        Path file = dir.resolve("local.properties");
        Files.writeString(file, """
                #Ant properties
                local.concurrency=2
                local.demo=false
                local.dynamodb.port=8100
                local.function.jvm-options=-XX\\:+UseSerialGC -Xmx384m
                local.http.port=8080
                local.sqs.port=9425
                """);
        Properties system = new Properties();
        system.setProperty(LocalProperties.FILE_PROPERTY, file.toString());
        system.setProperty("java.home", "/jdk");
        LocalProperties.apply(system);
        assertThat(system).containsEntry("local.demo", "false").containsEntry("local.dynamodb.port", "8100")
                .containsEntry("local.sqs.port", "9425")
                .containsEntry("local.function.jvm-options", "-XX:+UseSerialGC -Xmx384m")
                .containsEntry("java.home", "/jdk");
    }

    @Test
    void anUnknownLocalSettingFailsNamingItAndListingTheKnownOnes() throws Exception {
        Path file = dir.resolve("local.properties");
        Files.writeString(file, "local.demo=false\nlocal.sqs.prot=9425\n");
        Properties system = new Properties();
        system.setProperty(LocalProperties.FILE_PROPERTY, file.toString());
        assertThatThrownBy(() -> LocalProperties.apply(system)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-Dlocal.sqs.prot").hasMessageContaining("-Dlocal.sqs.port")
                .hasMessageContaining("-Dlocal.demo ");
        Properties direct = new Properties();
        direct.setProperty("local.dmeo", "false");
        assertThatThrownBy(() -> LocalProperties.apply(direct)).hasMessageContaining("-Dlocal.dmeo");
    }

    @Test
    void everySettingTheLocalRunReadsIsKnown() throws Exception {
        // the names the local engine's code reads: a new one must be added to KNOWN, or it would be refused
        try (var sources = Files.walk(Path.of("src/test/java/io/loopfree/sync/local"))) {
            sources.filter(p -> p.toString().endsWith(".java")).forEach(source -> {
                java.util.regex.Matcher read = java.util.regex.Pattern
                        .compile("(?:getProperty|getInteger|getLong|getBoolean)\\(\"(local\\.[a-z.-]+)\"")
                        .matcher(read(source));
                while (read.find()) {
                    assertThat(LocalProperties.KNOWN).as(source + " reads " + read.group(1)).containsKey(read.group(1));
                }
            });
        }
    }

    private static String read(Path source) {
        try {
            return Files.readString(source);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
