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

import io.loopfree.sync.adapters.http.JsonOutboundProfileRepository;
import io.loopfree.sync.adapters.http.OutboundProfileParser;
import io.loopfree.sync.domain.outbound.OutboundProfile;
import io.loopfree.sync.domain.outbound.OutboundProfile.Operation;

class OutboundProfilesTest {

    static final List<String> SHIPPED = List.of("sandbox", "app", "hubspot-contacts", "salesforce-contacts",
            "stripe-customers", "smartsheet-rows");

    @Test
    void everyShippedProfileParsesAndNamesItsSources() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/outbound"))) {
            assertThat(files.map(p -> p.getFileName().toString().replace(".json", "")))
                    .containsExactlyInAnyOrderElementsOf(SHIPPED);
        }
        JsonOutboundProfileRepository repository = new JsonOutboundProfileRepository(Optional.empty());
        for (String name : SHIPPED) {
            OutboundProfile profile = repository.find(name).orElseThrow();
            assertThat(profile.sources()).as(name).isNotEmpty();
            assertThat(profile.request(Operation.GET)).as(name).isPresent();
            assertThat(profile.request(Operation.DELETE)).as(name).isPresent();
            assertThat(profile.request(Operation.UPSERT).isPresent() || profile.request(Operation.CREATE).isPresent())
                    .as(name).isTrue();
            assertThat(profile.upsertOperation(true)).as(name + ": a known record is updated by its id")
                    .contains(Operation.UPDATE);
        }
        assertThat(repository.find("stripe-customers").orElseThrow().upsertOperation(false)).contains(Operation.CREATE);
        assertThat(repository.find("sandbox").orElseThrow().upsertOperation(false)).contains(Operation.UPSERT);
        assertThat(repository.find("salesforce-contacts").orElseThrow().rateLimitHeaders()).containsExactly("salesforce");
    }

    @Test
    void theDeploymentDirectoryIsReadBeforeTheClasspath(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("sandbox.json"), """
                {"auth": "none", "externalIdProperty": "ext",
                 "requests": {"upsert": {"method": "PUT", "path": "/r/{externalId}", "body": "fields"},
                              "get": {"method": "GET", "path": "/r/{recordId}"}}}""");
        JsonOutboundProfileRepository repository = new JsonOutboundProfileRepository(Optional.of(dir));
        assertThat(repository.find("sandbox").orElseThrow().externalIdProperty()).isEqualTo("ext");
        assertThat(repository.find("hubspot-contacts")).isPresent();
        assertThat(repository.find("nope")).isEmpty();
        assertThat(repository.find("../etc/passwd")).isEmpty();
    }

    @Test
    void anInvalidProfileNamesTheFileAndTheField(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("typo.json"), """
                {"auth": "bearer", "externalIdProperty": "x",
                 "requests": {"upsert": {"method": "PUT", "path": "/r/{externalId}", "bdy": "fields"}}}""");
        assertThatThrownBy(() -> new JsonOutboundProfileRepository(Optional.of(dir)).find("typo"))
                .isInstanceOf(JsonOutboundProfileRepository.InvalidOutboundProfileException.class)
                .hasMessageContaining("typo.json").hasMessageContaining("requests.upsert: unknown field 'bdy'");
        Files.writeString(dir.resolve("broken.json"), "{\"auth\": ");
        assertThatThrownBy(() -> new JsonOutboundProfileRepository(Optional.of(dir)).find("broken"))
                .hasMessageContaining("broken.json is not JSON");
    }

    @Test
    void theParserRefusesWhatWouldSendAWrongRequest() {
        String upsert = "\"upsert\": {\"method\": \"PUT\", \"path\": \"/r/{externalId}\"}";
        assertThatThrownBy(() -> parse("{\"auth\": \"bearer\", \"externalIdProperty\": \"x\", \"requests\": {"
                + "\"upsert\": {\"method\": \"PUT\", \"path\": \"/r/{externalid}\"}}}"))
                .hasMessageContaining("requests.upsert.path: unknown placeholder {externalid}");
        assertThatThrownBy(() -> parse("{\"auth\": \"bearer\", \"externalIdProperty\": \"x\", \"requests\": {"
                + "\"get\": {\"method\": \"GET\", \"path\": \"/r/{idempotencyKey}\"}, " + upsert + "}}"))
                .hasMessageContaining("requests.get.path: unknown placeholder {idempotencyKey}");
        assertThatThrownBy(() -> parse("{\"auth\": \"bearer\", \"externalIdProperty\": \"x\", \"requests\": {"
                + "\"upsert\": {\"method\": \"PUT\", \"path\": \"/r\", \"body\": \"{ 'a': \"}}}"))
                .hasMessageContaining("requests.upsert.body is not valid JSONata");
        assertThatThrownBy(() -> parse("{\"auth\": \"basic\", \"externalIdProperty\": \"x\", \"requests\": {" + upsert + "}}"))
                .hasMessageContaining("auth: unknown value 'basic' (one of [bearer, none])");
        assertThatThrownBy(() -> parse("{\"auth\": \"none\", \"externalIdProperty\": \"x\", \"requests\": {"
                + "\"create\": {\"method\": \"POST\", \"path\": \"/r\"}}}"))
                .hasMessageContaining("\"create\" and \"update\" go together");
        assertThatThrownBy(() -> parse("{\"auth\": \"none\", \"externalIdProperty\": \"x\", \"requests\": {" + upsert
                + ", \"update\": {\"method\": \"POST\", \"path\": \"/r\"}, \"create\": {\"method\": \"POST\", \"path\": \"/r\"}}}"))
                .hasMessageContaining("not both");
        assertThatThrownBy(() -> parse("{\"auth\": \"none\", \"externalIdProperty\": \"x\", \"requests\": {" + upsert
                + ", \"list\": {\"method\": \"GET\", \"path\": \"/r\", \"list\": {\"since\": \"rfc822\", \"pageSize\": 10, \"items\": \"results\"}}}}"))
                .hasMessageContaining("requests.list.list.since: unknown value 'rfc822'");
        assertThatThrownBy(() -> parse("{\"auth\": \"none\", \"externalIdProperty\": \"x\", \"rateLimitHeaders\": [\"github\"], \"requests\": {" + upsert + "}}"))
                .hasMessageContaining("rateLimitHeaders: unknown family 'github'");
        assertThatThrownBy(() -> parse("{\"auth\": \"none\", \"externalIdProperty\": \"x\", \"requests\": {" + upsert
                + ", \"fetch\": {\"method\": \"GET\", \"path\": \"/r\"}}}"))
                .hasMessageContaining("unknown request 'fetch'");
        assertThatThrownBy(() -> parse("{\"auth\": \"none\", \"externalIdProperty\": \"x\", \"requests\": {"
                + "\"upsert\": {\"method\": \"SEND\", \"path\": \"/r\"}}}"))
                .hasMessageContaining("requests.upsert.method: 'SEND'");
        assertThatThrownBy(() -> parse("{\"profile\": \"other\", \"auth\": \"none\", \"externalIdProperty\": \"x\", \"requests\": {" + upsert + "}}"))
                .hasMessageContaining("does not match the file name");
    }

    private static OutboundProfile parse(String json) throws IOException {
        return OutboundProfileParser.parse("x", new ObjectMapper().readTree(json));
    }
}
