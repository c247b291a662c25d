package io.loopfree.sync.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.loopfree.sync.adapters.profiles.JsonProfileRepository;
import io.loopfree.sync.adapters.profiles.ProfileParser;
import io.loopfree.sync.domain.webhook.ProviderProfile;

class ProfilesTest {

    static final List<String> SHIPPED = List.of("app", "stripe", "github", "slack", "hubspot", "shopify", "graph", "zoom",
            "smartsheet", "meta", "twilio", "generic-hmac", "sandbox-rich", "sandbox-skinny");

    @Test
    void everyShippedProfileLoadsAndNamesItsSources() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/profiles"))) {
            assertThat(files.map(p -> p.getFileName().toString().replace(".json", "")))
                    .containsExactlyInAnyOrderElementsOf(SHIPPED);
        }
        JsonProfileRepository repository = new JsonProfileRepository(Optional.empty());
        for (String system : SHIPPED) {
            ProviderProfile profile = repository.find(system).orElseThrow();
            assertThat(profile.sources()).as(system).isNotEmpty();
            assertThat(profile.eventId()).as(system).isNotEmpty();
        }
        assertThat(repository.find("meta").orElseThrow().allowedMethods()).containsExactlyInAnyOrder("POST", "GET");
        assertThat(repository.find("github").orElseThrow().allowedMethods()).containsExactly("POST");
    }

    @Test
    void theDeploymentDirectoryIsReadBeforeTheClasspath(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("github.json"), """
                {"signature": {"scheme": "hmac", "header": "X-Hub-Signature", "algorithm": "SHA-1", "prefix": "sha1="},
                 "eventId": [{"header": "X-GitHub-Delivery"}]}""");
        JsonProfileRepository repository = new JsonProfileRepository(Optional.of(dir));
        assertThat(repository.find("github").orElseThrow().signature().header()).contains("X-Hub-Signature");
        assertThat(repository.find("stripe")).isPresent();
        assertThat(repository.find("nope")).isEmpty();
        assertThat(repository.find("../etc/passwd")).isEmpty();
        assertThat(repository.find("GitHub")).isEmpty();
    }

    @Test
    void anInvalidProfileNamesTheFileAndTheField(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("typo.json"), """
                {"signature": {"scheme": "hmac", "header": "X-Sig", "algoritm": "SHA-1"}, "eventId": [{"header": "X-Id"}]}""");
        assertThatThrownBy(() -> new JsonProfileRepository(Optional.of(dir)).find("typo"))
                .isInstanceOf(JsonProfileRepository.InvalidProfileException.class)
                .hasMessageContaining("typo.json").hasMessageContaining("unknown field 'algoritm'");
    }

    @Test
    void parserRefusesWhatWouldWeakenOrBreakVerification() {
        assertThatThrownBy(() -> parse("x", "{\"signature\":{\"scheme\":\"md5\"},\"eventId\":[{\"sha256\":\"body\"}]}"))
                .hasMessageContaining("unknown signature scheme 'md5'");
        assertThatThrownBy(() -> parse("x", "{\"signature\":{\"scheme\":\"stripe\"},\"eventId\":[]}"))
                .hasMessageContaining("eventId needs at least one source");
        assertThatThrownBy(() -> parse("x", "{\"system\":\"y\",\"signature\":{\"scheme\":\"stripe\"},\"eventId\":[{\"json\":\"/id\"}]}"))
                .hasMessageContaining("does not match the file name");
        assertThatThrownBy(() -> parse("x", "{\"signature\":{\"scheme\":\"stripe\"},\"eventId\":[{\"json\":\"id\"}]}"))
                .hasMessageContaining("not a JSON Pointer");
        assertThatThrownBy(() -> parse("x", "{\"signature\":{\"scheme\":\"stripe\"},\"eventId\":[{\"cookie\":\"id\"}]}"))
                .hasMessageContaining("unknown field 'cookie'");
        assertThatThrownBy(() -> parse("x", """
                {"signature":{"scheme":"stripe"},"eventId":[{"json":"/id"}],
                 "challenges":[{"name":"c","when":{"query":"q"},"value":{"query":"q"},"authenticate":"verify-token","response":{}}]}"""))
                .hasMessageContaining("verify-token needs verifyToken");
        assertThatThrownBy(() -> parse("x", """
                {"signature":{"scheme":"stripe"},"eventId":[{"json":"/id"}],
                 "challenges":[{"name":"c","when":{"query":"q"},"value":{"query":"q"},"authenticate":"none",
                 "response":{"type":"json","fields":{"a":"{secret}"}}}]}"""))
                .hasMessageContaining("only {value} and {hmacSha256Hex}");
    }

    private static ProviderProfile parse(String system, String json) throws IOException {
        return ProfileParser.parse(system, new ObjectMapper().readTree(json));
    }
}
