package io.loopfree.sync.adapters;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.request;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.loopfree.sync.adapters.http.HttpOutboundClient;
import io.loopfree.sync.adapters.http.JsonOutboundProfileRepository;
import io.loopfree.sync.adapters.json.JsonValues;
import io.loopfree.sync.adapters.mapping.ClasspathMappingRepository;
import io.loopfree.sync.domain.change.Actor;
import io.loopfree.sync.domain.change.Change;
import io.loopfree.sync.domain.change.ChangeMapping;
import io.loopfree.sync.domain.change.FieldSet;
import io.loopfree.sync.domain.outbound.OutboundProfile;
import io.loopfree.sync.domain.outbound.OutboundProfile.Operation;
import io.loopfree.sync.domain.outbound.OutboundResponse;
import io.loopfree.sync.domain.outbound.OutboundTarget;
import io.loopfree.sync.domain.reconcile.ListedEnvelope;
import io.loopfree.sync.domain.reconcile.ReconcileJob;
import io.loopfree.sync.ports.OutboundClient;

/**
 * Every shipped mapping reads what its outbound profile's {@code get} and {@code list} return (issue 17, defect 5:
 * the HubSpot mapping had no {@code fetched} section, so a listed HubSpot record was unreadable and a dropped
 * HubSpot webhook never healed). Per (profile, mapping) pair, answers shaped as the provider documents them
 * ({@code src/test/resources/provider-answers/<profile>--<mapping>.json}) go through the real adapter and the real
 * mapping: the fetched record as a skinny change made whole, each listed record as the reconciler names it and as the
 * processor reads its envelope.
 */
class ShippedFetchedRecordsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ANSWERS = Path.of("src/test/resources/provider-answers");
    private static final Instant EVENT_TIME = Instant.parse("2026-11-20T10:00:05Z");

    /** Each shipped profile with a get or list, and the shipped mappings of the systems it is the profile of. */
    static final Map<String, List<String>> PAIRS = Map.of(
            "app", List.of("app"),
            "hubspot-contacts", List.of("hubspot"),
            "salesforce-contacts", List.of("salesforce"),
            "stripe-customers", List.of("stripe"),
            "sandbox", List.of("sandbox-rich", "sandbox-skinny"));
    /** Shipped profiles with no shipped mapping of their records, and why. */
    static final Map<String, String> UNPAIRED = Map.of(
            "smartsheet-rows", "mapping 'smartsheet' maps sheet callbacks (resource sheet), not rows");

    static OutboundStub stub;
    private final ClasspathMappingRepository mappings = new ClasspathMappingRepository();
    private final JsonOutboundProfileRepository profiles = new JsonOutboundProfileRepository(Optional.empty());
    private HttpOutboundClient client;

    @BeforeAll
    static void start() {
        stub = new OutboundStub().start();
    }

    @AfterAll
    static void stop() {
        stub.stop();
    }

    @BeforeEach
    void reset() {
        stub.server.resetAll();
        client = stub.client();
    }

    @Test
    void everyShippedProfileThatFetchesOrListsIsPairedWithItsMappings() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/outbound"))) {
            for (String name : files.map(p -> p.getFileName().toString().replace(".json", "")).toList()) {
                OutboundProfile profile = profiles.find(name).orElseThrow();
                if (profile.request(Operation.GET).isEmpty() && profile.request(Operation.LIST).isEmpty()) {
                    continue;
                }
                assertThat(PAIRS.containsKey(name) || UNPAIRED.containsKey(name))
                        .as("shipped profile %s reads records: pair it with its mappings here", name).isTrue();
            }
        }
        PAIRS.forEach((profile, systems) -> systems.forEach(system -> assertThat(
                Files.exists(ANSWERS.resolve(profile + "--" + system + ".json")))
                .as("sample answers for %s / %s", profile, system).isTrue()));
    }

    static Stream<String> pairs() {
        return PAIRS.entrySet().stream().flatMap(e -> e.getValue().stream().map(system -> e.getKey() + "--" + system))
                .sorted();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void theMappingReadsWhatTheProfileFetches(String pair) throws IOException {
        Sample sample = sample(pair);
        JsonNode get = sample.file().path("get");
        stub(get);
        OutboundResponse response = client.fetch(sample.target(), "contact", sample.file().path("recordId").asText(),
                OutboundStub.soon());
        assertThat(response).as(pair).isInstanceOf(OutboundResponse.Done.class);

        Change skinny = new Change("evt-1", sample.system(), "acme", "acct-1", "contact",
                sample.file().path("recordId").asText(), null, EVENT_TIME, Actor.UNKNOWN, null, false, true, false,
                FieldSet.EMPTY);
        Change whole = sample.mapping().enrich(skinny, ((OutboundResponse.Done) response).body())
                .orElseThrow(() -> new AssertionError(pair + ": the mapping has no fetched section"));
        assertWhole(sample, whole);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void theMappingReadsWhatTheProfileLists(String pair) throws IOException {
        Sample sample = sample(pair);
        OutboundProfile profile = profiles.find(sample.profile()).orElseThrow();
        if (profile.request(Operation.LIST).isEmpty()) {
            assertThat(sample.file().has("list")).as(pair + ": a sample listing for a profile that cannot list")
                    .isFalse();
            return;
        }
        stub(sample.file().path("list"));
        OutboundClient.PageResult result = client.list(sample.target(), "contact", Instant.parse("2026-11-20T09:00:00Z"),
                Optional.empty(), OutboundStub.soon());
        OutboundClient.Page page = result.page().orElseThrow(() -> new AssertionError(pair + ": " + result.response()));
        assertThat(page.records()).as(pair).isNotEmpty();
        ReconcileJob job = new ReconcileJob("acme", sample.system(), "acct-1", "contact");
        for (int i = 0; i < page.records().size(); i++) {
            // what the reconciler needs to name the record ("a listed record names no id or updated-at" otherwise)
            ChangeMapping.ListedRecord listed = sample.mapping().listed("contact", page.records().get(i))
                    .orElseThrow(() -> new AssertionError(pair + ": a listed record names no id or updated-at"));
            JsonNode expect = sample.file().path("expect");
            assertThat(listed.recordId()).as(pair).isEqualTo(expect.path("recordId").asText());
            assertThat(listed.updatedAt()).as(pair).isEqualTo(Instant.parse(expect.path("occurredAt").asText()));
            // what the processor reads from the envelope the reconciler enqueues
            var envelope = ListedEnvelope.of(job, listed.recordId(), listed.updatedAt(),
                    listed.updatedAt().toString(), EVENT_TIME, page.recordsJson().get(i).getBytes(StandardCharsets.UTF_8));
            ChangeMapping.Normalized normalized = sample.mapping().normalize(envelope);
            assertThat(normalized).as(pair).isInstanceOf(ChangeMapping.Mapped.class);
            assertWhole(sample, ((ChangeMapping.Mapped) normalized).change());
        }
    }

    @Test
    void aHubSpotRecordWithoutTheTrackedPropertiesIsRefusedNotReadAsEmptied() {
        // HubSpot answers only its default properties (email, firstname, lastname) unless params.properties names
        // more: read as a whole record, the phone it did not name would be written as cleared everywhere
        Map<String, Object> defaults = Map.of("id", "512", "properties", Map.of("email", "ada@example.com",
                "firstname", "Ada", "lastname", "Lovelace", "hs_object_id", "512"),
                "updatedAt", "2026-11-20T10:00:01.250Z", "archived", false);
        Change skinny = new Change("evt-1", "hubspot", "acme", "62515", "contact", "512", null, EVENT_TIME,
                Actor.UNKNOWN, null, false, true, false, FieldSet.EMPTY);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> mappings.find("hubspot").orElseThrow()
                .enrich(skinny, defaults)).isInstanceOf(io.loopfree.sync.domain.change.MappingException.class)
                .hasMessageContaining("phone").hasMessageContaining("params.properties");
    }

    private static void assertWhole(Sample sample, Change whole) throws IOException {
        JsonNode expect = sample.file().path("expect");
        String pair = sample.profile() + "--" + sample.system();
        assertThat(whole.skinny()).as(pair).isFalse();
        assertThat(whole.partial()).as(pair).isFalse();
        assertThat(whole.recordId()).as(pair).isEqualTo(expect.path("recordId").asText());
        assertThat(whole.canonicalKey()).as(pair).isEqualTo(expect.path("canonicalKey").asText());
        assertThat(whole.deleted()).as(pair).isEqualTo(expect.path("deleted").asBoolean());
        assertThat(whole.occurredAt()).as(pair + ": the record's own time, else the event's")
                .isEqualTo(expect.has("occurredAt") ? Instant.parse(expect.path("occurredAt").asText()) : EVENT_TIME);
        // every tracked field, with its value: a field the answer has must not be read as emptied
        assertThat(JSON.readTree(JsonValues.write(whole.fields().values()))).as(pair).isEqualTo(expect.path("fields"));
    }

    private void stub(JsonNode call) {
        stub.server.stubFor(request(call.path("method").asText(), urlPathEqualTo(call.path("path").asText()))
                .willReturn(okJson(call.path("answer").toString())));
    }

    private Sample sample(String pair) throws IOException {
        JsonNode file = JSON.readTree(ANSWERS.resolve(pair + ".json").toFile());
        String profile = pair.substring(0, pair.indexOf("--"));
        String system = pair.substring(pair.indexOf("--") + 2);
        Map<String, String> params = new HashMap<>();
        params.put("baseUrl", stub.baseUrl());
        params.put("instanceUrl", stub.baseUrl());
        file.path("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
        OutboundTarget target = new OutboundTarget("acme", system, "acct-1", profile, null, params);
        return new Sample(profile, system, mappings.find(system).orElseThrow(), target, file);
    }

    private record Sample(String profile, String system, ChangeMapping mapping, OutboundTarget target, JsonNode file) {
    }
}
