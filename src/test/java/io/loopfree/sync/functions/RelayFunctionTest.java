package io.loopfree.sync.functions;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;

import io.loopfree.sync.adapters.dynamodb.ConnectionSeeds;
import io.loopfree.sync.app.ProcessorService;
import io.loopfree.sync.app.SyncMetrics;
import io.loopfree.sync.domain.change.Change;
import io.loopfree.sync.domain.change.ChangeMapping;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.domain.envelope.EnvelopeCodec;
import io.loopfree.sync.domain.relay.RelayedChangeEvent;
import io.loopfree.sync.ports.MappingRepository;
import io.loopfree.sync.support.Fixtures;
import io.loopfree.sync.support.FunctionTestSupport;
import io.loopfree.sync.support.LogCapture;
import io.loopfree.sync.support.Profiles;
import io.loopfree.sync.support.SyncResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The relay function over its recorded EventBridge events (functions/relay/events: Salesforce Change Data Capture
 * as Salesforce Event Relay puts it on a partner event bus), through the Lambda runtime API against ElasticMQ: what
 * it enqueues (one envelope per record, the event's own id per record, the tenant of the org), and what the
 * processor makes of those envelopes with the shipped {@code salesforce} mapping (partial fields, nulled fields,
 * deletes, gaps fetched through the profile's {@code get}, transaction order, our own echo).
 */
@QuarkusTest
@TestProfile(RelayFunctionTest.Relay.class)
class RelayFunctionTest extends FunctionTestSupport {

    static final String ORG = "00D5e000000AbCdEAK";
    /** Orgs of their own, so that the tests that apply changes do not share records. */
    static final String GAP_ORG = "00D5e000000GaPoEAK";
    static final String ORDER_ORG = "00D5e000000OrDrEAK";
    static final String ECHO_ORG = "00D5e000000EcHoEAK";
    static final String RECORD = "0035e00000Bv7gQAAR";

    public static class Relay extends Profiles.Relay {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            // the 15-character form of an org id matches its 18-character form
            config.put("sync.relay.tenants", "00D5e000000AbCd=acme," + GAP_ORG + "=relay-gap," + ORDER_ORG
                    + "=relay-order," + ECHO_ORG + "=relay-echo");
            config.put("sync.dedup.ttl", "3650d");
            config.put("webhook-secrets.salesforce.relay-gap.outbound-token", "sf-token");
            return config;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static WireMockServer salesforce;

    @Inject
    MappingRepository mappings;

    @Inject
    ProcessorService processor;

    @BeforeAll
    static void startSalesforce() {
        salesforce = new WireMockServer(options().dynamicPort());
        salesforce.start();
    }

    @AfterAll
    static void stopSalesforce() {
        salesforce.stop();
    }

    private static String fixture(String name) {
        return Fixtures.event("relay", name);
    }

    /** The fixture as relayed from another org (so another tenant). */
    private static String fromOrg(String name, String org) throws Exception {
        ObjectNode event = (ObjectNode) JSON.readTree(fixture(name));
        event.put("source", event.path("source").asText().replace(ORG, org));
        return event.toString();
    }

    private static List<Envelope> enqueued() {
        return drain(config("sync.queue-url"), Duration.ZERO).stream().map(m -> EnvelopeCodec.decode(m.body()))
                .toList();
    }

    private Change change(Envelope envelope) {
        ChangeMapping.Normalized normalized = mappings.find("salesforce").orElseThrow().normalize(envelope);
        assertThat(normalized).isInstanceOf(ChangeMapping.Mapped.class);
        return ((ChangeMapping.Mapped) normalized).change();
    }

    private Change relayOne(String fixture) {
        JsonPath answer = invoke(fixture(fixture));
        assertThat(answer.getString("outcome")).isEqualTo("enqueued");
        assertThat(answer.getInt("records")).isEqualTo(1);
        assertThat(answer.getString("tenant")).isEqualTo("acme");
        List<Envelope> envelopes = enqueued();
        assertThat(envelopes).hasSize(1);
        Envelope envelope = envelopes.get(0);
        assertThat(envelope.system()).isEqualTo("salesforce");
        assertThat(envelope.tenant()).isEqualTo("acme");
        assertThat(envelope.headers()).containsEntry(RelayedChangeEvent.RECORD_ID_HEADER, RECORD)
                .containsEntry(RelayedChangeEvent.SOURCE_HEADER, "event-relay")
                .containsEntry(RelayedChangeEvent.ORG_HEADER, ORG);
        return change(envelope);
    }

    @Test
    void aCreateIsOneCompleteChangeDedupedByTheEventsOwnId() throws Exception {
        Change change = relayOne("relay-contact-create.json");
        assertThat(change.eventId()).isEqualTo("5a1f0c3e-8b7d-4e2a-9c61-0d4b7e2f1a01:" + RECORD);
        assertThat(change.recordId()).isEqualTo(RECORD);
        assertThat(change.partial()).isFalse();
        assertThat(change.skinny()).isFalse();
        assertThat(change.occurredAt()).isEqualTo(Instant.ofEpochMilli(1795168700000L));
        assertThat(change.actor().kind()).isEqualTo(io.loopfree.sync.domain.change.Actor.Kind.human);
        assertThat(change.fields().values()).containsEntry("Email", "ada@example.com")
                .containsEntry("FirstName", "Ada").containsEntry("LastName", "Lovelace")
                .containsEntry("Phone", "+44 20 7946 0018").containsEntry("HasOptedOutOfEmail", false);
        // the body is the event's detail as relayed
        assertThat(JSON.readTree(fixture("relay-contact-create.json")).path("detail").path("payload")
                .path("Email").asText()).isEqualTo("ada@example.com");
    }

    @Test
    void anUpdateCarriesOnlyItsChangedAndNulledFields() {
        Change change = relayOne("relay-contact-update-changed-and-nulled.json");
        assertThat(change.partial()).isTrue();
        assertThat(change.deleted()).isFalse();
        // Email and FirstName changed, Phone nulled; LastModifiedDate is not tracked; the enriched HasOptedOutOfEmail
        // and Department came along unchanged: not taken as changes
        Map<String, Object> expected = new HashMap<>();
        expected.put("Email", "ada.lovelace@example.com");
        expected.put("FirstName", "Augusta Ada");
        expected.put("Phone", null);
        assertThat(change.fields().values()).isEqualTo(expected);
        assertThat(change.changeAgent()).isEqualTo("SfdcInternalAPI/");
    }

    @Test
    void aNulledFieldTheRelayLeavesOutOfThePayloadIsStillCleared() throws Exception {
        ObjectNode event = (ObjectNode) JSON.readTree(fixture("relay-contact-update-changed-and-nulled.json"));
        ((ObjectNode) event.path("detail").path("payload")).remove("Phone");
        invoke(event.toString());
        Change change = change(enqueued().get(0));
        assertThat(change.fields().values()).containsEntry("Phone", null).containsKey("Email");
    }

    @Test
    void aDeleteIsADeletionWithoutFieldsAndAnUndeleteIsComplete() {
        Change deleted = relayOne("relay-contact-delete.json");
        assertThat(deleted.deleted()).isTrue();
        assertThat(deleted.fields().values()).isEmpty();
        Change undeleted = relayOne("relay-contact-undelete.json");
        assertThat(undeleted.deleted()).isFalse();
        assertThat(undeleted.partial()).isFalse();
        assertThat(undeleted.fields().values()).containsEntry("Email", "ada.lovelace@example.com")
                .containsEntry("Phone", null);
    }

    @Test
    void aMultiRecordEventBecomesOneMessagePerRecordEachWithItsOwnDedupKey() {
        JsonPath answer = invoke(fixture("relay-contact-multi-record.json"));
        assertThat(answer.getString("outcome")).isEqualTo("enqueued");
        assertThat(answer.getInt("records")).isEqualTo(3);
        List<Envelope> envelopes = enqueued();
        assertThat(envelopes).extracting(Envelope::eventId).containsExactlyInAnyOrder(
                "4e6a8c0d-2f4b-4e6a-8c0d-2f4b6d8e0a07:0035e00000Bv7gQAAR",
                "4e6a8c0d-2f4b-4e6a-8c0d-2f4b6d8e0a07:0035e00000Bv7gRAAR",
                "4e6a8c0d-2f4b-4e6a-8c0d-2f4b6d8e0a07:0035e00000Bv7gSAAR");
        for (Envelope envelope : envelopes) {
            Change change = change(envelope);
            assertThat(change.recordId()).isEqualTo(envelope.headers().get(RelayedChangeEvent.RECORD_ID_HEADER));
            assertThat(change.eventId()).isEqualTo(envelope.eventId());
            assertThat(change.fields().values()).isEqualTo(Map.of("HasOptedOutOfEmail", true));
        }
    }

    @Test
    void anOverflowEventEnqueuesNothingAndIsCounted() {
        try (LogCapture logs = LogCapture.start()) {
            JsonPath answer = invoke(fixture("relay-contact-overflow.json"));
            assertThat(answer.getString("outcome")).isEqualTo("overflow");
            assertThat(answer.getInt("records")).isZero();
            assertThat(logs.emf(SyncMetrics.RELAYED_CHANGE_EVENTS)).singleElement()
                    .satisfies(d -> assertThat(d.path("outcome").asText()).isEqualTo("overflow"));
        }
        assertThat(enqueued()).isEmpty();
    }

    @Test
    void aPlatformEventIsRefusedNotRetried() {
        JsonPath answer = invoke(fixture("relay-platform-event.json"));
        assertThat(answer.getString("outcome")).isEqualTo("refused");
        assertThat(answer.getString("reason")).contains("not a change event");
        assertThat(enqueued()).isEmpty();
    }

    @Test
    void anOrgNoTenantIsConfiguredForFailsTheInvocationSoItIsRetried() {
        io.restassured.response.Response answer = invokeFailing(fixture("relay-unknown-org.json"));
        assertThat(answer.statusCode()).isNotEqualTo(200);
        assertThat(answer.body().asString()).contains("no tenant is configured for Salesforce org");
        assertThat(enqueued()).isEmpty();
    }

    @Test
    void aGapEventIsMadeWholeByFetchingTheRecordThroughTheProfile() throws Exception {
        seedSalesforceOnly("relay-gap");
        salesforce.stubFor(get(urlPathEqualTo("/services/data/v59.0/sobjects/Contact/" + RECORD)).willReturn(okJson("""
                {"attributes": {"type": "Contact"}, "Id": "0035e00000Bv7gQAAR", "FirstName": "Ada",
                 "LastName": "Lovelace", "Email": "ada@archive.example", "Phone": null, "HasOptedOutOfEmail": true,
                 "Loopfree_Id__c": null, "SystemModstamp": "2026-11-20T09:59:56.000+0000"}""")));
        invoke(fromOrg("relay-contact-gap-update.json", GAP_ORG));
        List<Envelope> envelopes = enqueued();
        assertThat(envelopes).hasSize(1);
        Change gap = change(envelopes.get(0));
        assertThat(gap.skinny()).isTrue();
        assertThat(gap.fields().isEmpty()).isTrue();

        assertThat(processor.process(envelopes.get(0)).outcome().label()).isEqualTo("applied");
        assertThat(salesforce.findAll(getRequestedFor(urlPathEqualTo("/services/data/v59.0/sobjects/Contact/" + RECORD))))
                .hasSize(1);
        Map<String, AttributeValue> fields = stateItem("RECORD#relay-gap#contact#salesforce:" + RECORD, "STATE")
                .get("systems").m().get("salesforce").m().get("fields").m();
        assertThat(fields.get("Email").s()).isEqualTo("ada@archive.example");
        assertThat(fields.get("HasOptedOutOfEmail").bool()).isTrue();
        // the same event relayed again is a duplicate
        invoke(fromOrg("relay-contact-gap-update.json", GAP_ORG));
        assertThat(processor.process(enqueued().get(0)).outcome().label()).isEqualTo("dropped:duplicate");
    }

    @Test
    void eventsOfOneTransactionKeepTheirOrderBySequenceNumber() throws Exception {
        ObjectNode first = (ObjectNode) JSON.readTree(fromOrg("relay-contact-update-changed-and-nulled.json", ORDER_ORG));
        ObjectNode second = first.deepCopy();
        ObjectNode detail = (ObjectNode) second.path("detail");
        detail.put("id", "3b5e7a9c-1d2f-4a6b-8c0e-2f4a6b8c0e2e");
        ObjectNode payload = (ObjectNode) detail.path("payload");
        payload.put("Email", "ada@second-in-transaction.example");
        ((ObjectNode) payload.path("ChangeEventHeader")).put("sequenceNumber", 2);
        invoke(second.toString());
        Envelope later = enqueued().get(0);
        invoke(first.toString());
        Envelope earlier = enqueued().get(0);
        assertThat(change(later).occurredAt()).isAfter(change(earlier).occurredAt());

        // delivered out of order: the later event first; the earlier one must not overwrite its Email
        assertThat(processor.process(later).outcome().label()).isEqualTo("applied");
        processor.process(earlier);
        Map<String, AttributeValue> fields = stateItem("RECORD#relay-order#contact#salesforce:" + RECORD, "STATE")
                .get("systems").m().get("salesforce").m().get("fields").m();
        assertThat(fields.get("Email").s()).isEqualTo("ada@second-in-transaction.example");
    }

    @Test
    void ourOwnWriteComesBackWithOurChangeAgentAndDiesAsAnEcho() throws Exception {
        invoke(fromOrg("relay-contact-echo.json", ECHO_ORG));
        Envelope envelope = enqueued().get(0);
        Change change = change(envelope);
        assertThat(change.changeAgent()).isEqualTo("loopfree-sync");
        assertThat(processor.process(envelope).outcome().label()).isEqualTo("dropped:echo-agent");
        assertThat(stateItem("RECORD#relay-echo#contact#salesforce:" + RECORD, "STATE")).isEmpty();
    }

    private static void seedSalesforceOnly(String tenant) {
        ObjectNode connection = JSON.createObjectNode();
        connection.put("tenant", tenant);
        connection.put("resource", "contact");
        connection.putObject("ownership").put("rule", "last-write-wins");
        ObjectNode sf = connection.putArray("systems").addObject();
        sf.put("system", "salesforce").put("account", GAP_ORG).put("profile", "salesforce-contacts");
        sf.putObject("params").put("instanceUrl", "http://127.0.0.1:" + salesforce.port());
        try (DynamoDbClient dynamo = dynamo()) {
            ConnectionSeeds.seed(dynamo, SyncResources.STATE_TABLE, new ByteArrayInputStream(
                    JSON.createArrayNode().add(connection).toString().getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** An invocation the function fails: the mock event server answers the Lambda error document. */
    private static io.restassured.response.Response invokeFailing(String event) {
        int port = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getOptionalValue("quarkus.lambda.mock-event-server.test-port", Integer.class).orElse(8081);
        return io.restassured.RestAssured.given().port(port).contentType("application/json").body(event)
                .when().post().then().extract().response();
    }
}
