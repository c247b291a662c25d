package io.loopfree.sync.functions;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;

import io.loopfree.sync.adapters.dynamodb.ConnectionSeeds;
import io.loopfree.sync.local.sandbox.SandboxAudit;
import io.loopfree.sync.local.sandbox.SandboxConfig;
import io.loopfree.sync.local.sandbox.SandboxProvider;
import io.loopfree.sync.support.Fixtures;
import io.loopfree.sync.support.FunctionTestSupport;
import io.loopfree.sync.support.Profiles;
import io.loopfree.sync.support.SyncResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * HubSpot's contact webhooks as HubSpot sends them (recorded: functions/processor/events/scenario-hubspot-*.json)
 * through the processor, with the shipped hubspot mapping and hubspot-contacts profile (its GET answered from a
 * recorded answer) and the app as the other system (a sandbox); writes counted from the app's own audit.
 * <ul>
 * <li>issue 17, defect 6: a human create fires {@code contact.creation} (skinny) and one {@code contact.propertyChange}
 * per property; in whatever order they are processed, the app gets one write;</li>
 * <li>issue 17, defect 4: a property change delivered after a newer change of another property of a contact never
 * seen before is kept (here HubSpot's GET is rate limited, so the partial changes apply as they are).</li>
 * </ul>
 */
@QuarkusTest
@TestProfile(HubSpotContactEventsTest.HubSpotAndApp.class)
class HubSpotContactEventsTest extends FunctionTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger TENANTS = new AtomicInteger();
    private static final int MAX_TENANTS = 10;
    private static final String ENGINE_TOKEN = "engine-token";
    private static final String PROPERTIES = "email,firstname,lastname,phone,company,lifecyclestage,hs_email_optout,loopfree_id";

    public static class HubSpotAndApp extends Profiles.Processor {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("sync.dedup.ttl", "3650d");
            config.put("sync.markers.ttl", "3650d");
            for (int i = 1; i <= MAX_TENANTS; i++) {
                config.put("webhook-secrets.hubspot.hs" + i + ".outbound-token", ENGINE_TOKEN);
                config.put("webhook-secrets.app.hs" + i + ".outbound-token", ENGINE_TOKEN);
            }
            return config;
        }
    }

    static WireMockServer hubspot;
    private SandboxProvider app;
    private String tenant;

    @BeforeAll
    static void startHubSpot() {
        hubspot = new WireMockServer(options().dynamicPort());
        hubspot.start();
    }

    @AfterAll
    static void stopHubSpot() {
        hubspot.stop();
    }

    @AfterEach
    void stopApp() {
        if (app != null) {
            app.close();
        }
        hubspot.resetAll();
    }

    private void connect() {
        tenant = "hs" + TENANTS.incrementAndGet();
        app = SandboxProvider.start(SandboxConfig.of("app", tenant).withPayloadFormat(SandboxConfig.PayloadFormat.APP));
        ObjectNode connection = JSON.createObjectNode();
        connection.put("tenant", tenant);
        connection.put("resource", "contact");
        connection.putObject("ownership").put("rule", "last-write-wins");
        ArrayNode systems = connection.putArray("systems");
        ObjectNode crm = systems.addObject();
        crm.put("system", "hubspot");
        crm.put("account", "62515");
        crm.put("profile", "hubspot-contacts");
        crm.putObject("params").put("baseUrl", "http://127.0.0.1:" + hubspot.port()).put("properties", PROPERTIES);
        ObjectNode own = systems.addObject();
        own.put("system", "app");
        own.put("account", app.config().account());
        own.put("profile", "sandbox");
        own.putObject("params").put("baseUrl", app.baseUrl().toString().replaceAll("/$", ""));
        try (DynamoDbClient dynamo = dynamo()) {
            ConnectionSeeds.seed(dynamo, SyncResources.STATE_TABLE, new java.io.ByteArrayInputStream(
                    JSON.createArrayNode().add(connection).toString().getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void aHubSpotCreateIsWrittenToTheAppOnceWhenItsPropertyChangesArriveBeforeItsCreation() {
        connect();
        answerGet("1246970", "provider-answers/hubspot-get-contact-1246970.json");
        List<JsonNode> records = records("scenario-hubspot-create.json");
        // the worst order: property changes processed before the creation (SQS does not keep order)
        for (int index : new int[] {1, 2, 0, 3, 4, 5}) {
            assertThat(process(records.get(index))).as("event %d", index).isEmpty();
        }
        assertOneWholeWrite();
    }

    @Test
    void aHubSpotCreateIsWrittenToTheAppOnceInTheOrderHubSpotSendsIt() {
        connect();
        answerGet("1246970", "provider-answers/hubspot-get-contact-1246970.json");
        for (JsonNode record : records("scenario-hubspot-create.json")) {
            assertThat(process(record)).isEmpty();
        }
        assertOneWholeWrite();
    }

    @Test
    void aLatePropertyChangeOfAFieldNeverSeenBeforeIsKept() {
        connect();
        // HubSpot's burst limit: the contact cannot be fetched, so each property change applies as it is
        hubspot.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts/1246971")).willReturn(aResponse().withStatus(429)
                .withHeader("Content-Type", "application/json").withHeader("Retry-After", "10")
                .withBody("{\"status\":\"error\",\"message\":\"You have reached your secondly limit.\","
                        + "\"category\":\"RATE_LIMITS\"}")));
        List<JsonNode> records = records("scenario-hubspot-late-property.json");
        assertThat(process(records.get(0))).as("the email, changed 1 s ago").isEmpty();
        assertThat(process(records.get(1))).as("the phone, changed 5 s ago, delivered after").isEmpty();

        List<com.fasterxml.jackson.databind.node.ObjectNode> contacts = app.records("contact");
        assertThat(contacts).hasSize(1);
        assertThat(contacts.get(0).path("email").asText()).isEqualTo("katherine@example.com");
        assertThat(contacts.get(0).path("phone").asText()).as("never reported before: it cannot be stale")
                .isEqualTo("+1 555 0199");
    }

    private void assertOneWholeWrite() {
        List<SandboxAudit.Write> writes = app.audit().writes().stream().filter(w -> "engine".equals(w.by())).toList();
        assertThat(writes).as("one human create, one write to the app: %s", writes).hasSize(1);
        List<com.fasterxml.jackson.databind.node.ObjectNode> contacts = app.records("contact");
        assertThat(contacts).hasSize(1);
        JsonNode contact = contacts.get(0);
        assertThat(contact.path("email").asText()).isEqualTo("grace@example.com");
        assertThat(contact.path("name").asText()).isEqualTo("Grace Hopper");
        assertThat(contact.path("phone").asText()).isEqualTo("+1 555 0100");
        assertThat(hubspot.findAll(anyRequestedFor(anyUrl()))).as("HubSpot is only read, never written")
                .allMatch(r -> r.getMethod().getName().equals("GET"));
    }

    private static void answerGet(String id, String answer) {
        try {
            hubspot.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts/" + id)).willReturn(okJson(
                    Files.readString(Path.of("src/test/resources", answer)))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The recorded SQS records, for this test's tenant. */
    private List<JsonNode> records(String fixture) {
        String event = Fixtures.event("processor", fixture).replace("\\\"tenant\\\":\\\"acme\\\"",
                "\\\"tenant\\\":\\\"" + tenant + "\\\"");
        try {
            List<JsonNode> records = new ArrayList<>();
            JSON.readTree(event).path("Records").forEach(records::add);
            assertThat(records.get(0).path("body").asText()).contains("\"tenant\":\"" + tenant + "\"");
            return records;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One recorded message to the processor: the ids it reported failed. */
    private static List<String> process(JsonNode record) {
        ObjectNode event = JSON.createObjectNode();
        event.putArray("Records").add(record);
        return invoke(event.toString()).getList("batchItemFailures.itemIdentifier", String.class);
    }
}
