package io.loopfree.sync.adapters;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.loopfree.sync.adapters.http.HttpOutboundClient;
import io.loopfree.sync.domain.outbound.OutboundResponse;
import io.loopfree.sync.domain.outbound.OutboundTarget;
import io.loopfree.sync.ports.OutboundClient.PageResult;

/**
 * The real providers' profiles against a local stub: the exact request each one sends (method, path, headers —
 * auth, change agent, idempotency key —, body), and what is read back from the documented answers.
 */
class HttpOutboundClientProvidersTest {

    static OutboundStub stub;
    HttpOutboundClient client;

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

    static Map<String, Object> contact() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("email", "ada@example.com");
        fields.put("firstname", "Ada");
        fields.put("phone", null);
        return fields;
    }

    // ---- HubSpot -------------------------------------------------------------------------------------------------

    @Test
    void hubspotUpsertsThroughTheBatchEndpointWithIdProperty() {
        stub.server.stubFor(post(anyUrl()).willReturn(okJson("""
                {"status": "COMPLETE", "results": [{"id": "512", "new": true, "properties": {"email": "ada@example.com"}}],
                 "startedAt": "2026-11-20T10:00:00Z", "completedAt": "2026-11-20T10:00:01Z"}""")
                .withHeader("X-HubSpot-RateLimit-Remaining", "98")));
        OutboundResponse response = client.write(OutboundStub.upsert(stub.target("hubspot-contacts"), null, contact()),
                OutboundStub.soon());

        LoggedRequest request = stub.only();
        assertThat(request.getMethod().getName()).isEqualTo("POST");
        assertThat(request.getUrl()).isEqualTo("/crm/v3/objects/contacts/batch/upsert");
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + OutboundStub.TOKEN);
        assertThat(request.getHeader("Content-Type")).isEqualTo("application/json");
        assertThat(request.containsHeader("Idempotency-Key")).isFalse();
        // a cleared property is sent as "" (HubSpot clears with an empty string)
        assertThat(request.getBodyAsString()).isEqualTo("{\"inputs\":[{\"idProperty\":\"loopfree_id\",\"id\":\"acme:contact:k1\","
                + "\"properties\":{\"email\":\"ada@example.com\",\"firstname\":\"Ada\",\"phone\":\"\"}}]}");
        assertThat(response).isInstanceOfSatisfying(OutboundResponse.Done.class, done -> {
            assertThat(done.recordId()).isEqualTo("512");
            assertThat(done.headers()).containsEntry("x-hubspot-ratelimit-remaining", List.of("98"));
        });
    }

    @Test
    void hubspotMultiStatusWithErrorsIsRejected() {
        stub.server.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(207).withHeader("Content-Type", "application/json")
                .withBody("""
                        {"status": "COMPLETE", "results": [], "numErrors": 1,
                         "errors": [{"status": "error", "category": "VALIDATION_ERROR", "message": "Property values were not valid"}]}""")));
        OutboundResponse response = client.write(OutboundStub.upsert(stub.target("hubspot-contacts"), null, contact()),
                OutboundStub.soon());
        assertThat(response).isEqualTo(new OutboundResponse.Rejected(207,
                "HTTP 207 reported an error: Property values were not valid", response.headers()));
    }

    @Test
    void hubspotGetAnswersTheRecordAsHubSpotDocumentsIt() {
        stub.server.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts/512")).willReturn(okJson("""
                {"id": "512", "properties": {"email": "ada@example.com", "loopfree_id": "acme:contact:k1"},
                 "createdAt": "2026-11-20T10:00:00Z", "updatedAt": "2026-11-20T10:00:01Z", "archived": false}""")));
        OutboundTarget target = stub.target("hubspot-contacts",
                Map.of("baseUrl", stub.baseUrl(), "properties", "email,loopfree_id"));
        OutboundResponse response = client.fetch(target, "contact", "512", OutboundStub.soon());
        assertThat(stub.only().getUrl()).isEqualTo("/crm/v3/objects/contacts/512?properties=email%2Cloopfree_id");
        assertThat(response).isInstanceOfSatisfying(OutboundResponse.Done.class, done -> assertThat(done.body())
                .isEqualTo(Map.of("id", "512", "properties", Map.of("email", "ada@example.com", "loopfree_id",
                        "acme:contact:k1"), "createdAt", "2026-11-20T10:00:00Z", "updatedAt", "2026-11-20T10:00:01Z",
                        "archived", false)));
    }

    @Test
    void hubspotListsThroughTheSearchApiOnLastModifiedDate() {
        stub.server.stubFor(post(urlPathEqualTo("/crm/v3/objects/contacts/search")).willReturn(okJson("""
                {"total": 3, "results": [{"id": "1", "properties": {}}, {"id": "2", "properties": {}}],
                 "paging": {"next": {"after": "2", "link": "?after=2"}}}""")));
        OutboundTarget target = stub.target("hubspot-contacts");
        Instant since = Instant.parse("2026-11-20T08:58:00Z");
        PageResult first = client.list(target, "contact", since, Optional.empty(), OutboundStub.soon());
        assertThat(stub.only().getBodyAsString()).isEqualTo("{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"lastmodifieddate\","
                + "\"operator\":\"GTE\",\"value\":\"1795165080000\"}]}],\"sorts\":[{\"propertyName\":\"lastmodifieddate\","
                + "\"direction\":\"ASCENDING\"}],\"limit\":100}");
        assertThat(first.page().orElseThrow().records()).extracting(r -> r.get("id")).containsExactly("1", "2");
        assertThat(first.page().orElseThrow().next()).contains("2");

        stub.server.resetAll();
        stub.server.stubFor(post(anyUrl()).willReturn(okJson("{\"total\": 3, \"results\": [{\"id\": \"3\"}]}")));
        PageResult last = client.list(target, "contact", since, Optional.of("2"), OutboundStub.soon());
        assertThat(stub.only().getBodyAsString()).endsWith("\"limit\":100,\"after\":\"2\"}");
        assertThat(last.page().orElseThrow().records()).hasSize(1);
        assertThat(last.page().orElseThrow().next()).isEmpty();
    }

    // ---- Salesforce ----------------------------------------------------------------------------------------------

    @Test
    void salesforceUpsertsByExternalIdFieldWithItsCallOptions() {
        stub.server.stubFor(patch(anyUrl()).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json;charset=UTF-8")
                .withHeader("Sforce-Limit-Info", "api-usage=25/15000")
                .withBody("{\"id\":\"003D000000QV9n2IAD\",\"errors\":[],\"success\":true,\"created\":true}")));
        OutboundTarget target = stub.target("salesforce-contacts", Map.of("instanceUrl", stub.baseUrl()));
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("Email", "ada@example.com");
        fields.put("Phone", null);
        OutboundResponse response = client.write(OutboundStub.upsert(target, null, fields), OutboundStub.soon());

        LoggedRequest request = stub.only();
        assertThat(request.getMethod().getName()).isEqualTo("PATCH");
        assertThat(request.getUrl()).isEqualTo("/services/data/v59.0/sobjects/Contact/Loopfree_Id__c/acme%3Acontact%3Ak1");
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + OutboundStub.TOKEN);
        assertThat(request.getHeader("Sforce-Call-Options")).isEqualTo("client=loopfree-sync");
        assertThat(request.getBodyAsString()).isEqualTo("{\"Email\":\"ada@example.com\",\"Phone\":null}");
        assertThat(response).isInstanceOfSatisfying(OutboundResponse.Done.class, done -> {
            assertThat(done.recordId()).isEqualTo("003D000000QV9n2IAD");
            assertThat(done.headers()).containsEntry("sforce-limit-info", List.of("api-usage=25/15000"));
        });
    }

    @Test
    void salesforceUpdateAnswered204KeepsTheKnownId() {
        stub.server.stubFor(patch(anyUrl()).willReturn(aResponse().withStatus(204)));
        OutboundTarget target = stub.target("salesforce-contacts", Map.of("instanceUrl", stub.baseUrl()));
        assertThat(client.write(OutboundStub.upsert(target, "003D000000QV9n2IAD", contact()), OutboundStub.soon()))
                .isInstanceOfSatisfying(OutboundResponse.Done.class,
                        done -> assertThat(done.recordId()).isEqualTo("003D000000QV9n2IAD"));
    }

    @Test
    void salesforceMultipleMatchesAreRejected() {
        stub.server.stubFor(patch(anyUrl()).willReturn(aResponse().withStatus(300)
                .withBody("[\"/services/data/v59.0/sobjects/Contact/003A\",\"/services/data/v59.0/sobjects/Contact/003B\"]")));
        OutboundTarget target = stub.target("salesforce-contacts", Map.of("instanceUrl", stub.baseUrl()));
        assertThat(client.write(OutboundStub.upsert(target, null, contact()), OutboundStub.soon()))
                .isInstanceOfSatisfying(OutboundResponse.Rejected.class, r -> assertThat(r.status()).isEqualTo(300));
        assertThat(stub.requestCount()).isEqualTo(1);
    }

    @Test
    void salesforceListsWithSoqlOnSystemModstampAndFollowsNextRecordsUrl() {
        stub.server.stubFor(get(urlPathEqualTo("/services/data/v59.0/query")).willReturn(okJson("""
                {"totalSize": 3, "done": false, "nextRecordsUrl": "/services/data/v59.0/query/01gD0000002HU6KIAW-2000",
                 "records": [{"attributes": {"type": "Contact"}, "Id": "003A"}, {"attributes": {"type": "Contact"}, "Id": "003B"}]}""")));
        stub.server.stubFor(get(urlPathEqualTo("/services/data/v59.0/query/01gD0000002HU6KIAW-2000")).willReturn(okJson("""
                {"totalSize": 3, "done": true, "records": [{"Id": "003C"}]}""")));
        OutboundTarget target = stub.target("salesforce-contacts", Map.of("instanceUrl", stub.baseUrl()));
        Instant since = Instant.parse("2026-11-20T08:58:00.750Z");

        PageResult first = client.list(target, "contact", since, Optional.empty(), OutboundStub.soon());
        LoggedRequest request = stub.only();
        assertThat(request.getUrl()).isEqualTo("/services/data/v59.0/query?q=SELECT%20Id%2C%20FirstName%2C%20LastName%2C"
                + "%20Email%2C%20Phone%2C%20HasOptedOutOfEmail%2C%20Loopfree_Id__c%2C%20SystemModstamp%20FROM%20Contact%20WHERE%20SystemModstamp"
                + "%20%3E%3D%202026-11-20T08%3A58%3A00Z%20ORDER%20BY%20SystemModstamp%20ASC%2C%20Id%20ASC");
        assertThat(request.queryParameter("q").firstValue()).isEqualTo("SELECT Id, FirstName, LastName, Email, Phone, "
                + "HasOptedOutOfEmail, Loopfree_Id__c, SystemModstamp FROM Contact WHERE SystemModstamp >= 2026-11-20T08:58:00Z "
                + "ORDER BY SystemModstamp ASC, Id ASC");
        assertThat(request.getHeader("Sforce-Query-Options")).isEqualTo("batchSize=200");
        assertThat(request.getHeader("Sforce-Call-Options")).isEqualTo("client=loopfree-sync");
        assertThat(first.page().orElseThrow().records()).extracting(r -> r.get("Id")).containsExactly("003A", "003B");
        String next = first.page().orElseThrow().next().orElseThrow();

        stub.server.resetRequests();
        PageResult last = client.list(target, "contact", since, Optional.of(next), OutboundStub.soon());
        assertThat(stub.only().getUrl()).isEqualTo("/services/data/v59.0/query/01gD0000002HU6KIAW-2000");
        assertThat(stub.only().getHeader("Authorization")).isEqualTo("Bearer " + OutboundStub.TOKEN);
        assertThat(last.page().orElseThrow().records()).extracting(r -> r.get("Id")).containsExactly("003C");
        assertThat(last.page().orElseThrow().next()).isEmpty();
    }

    @Test
    void aNextPageUrlOnAnotherHostIsNeverCalledWithOurToken() {
        OutboundTarget target = stub.target("salesforce-contacts", Map.of("instanceUrl", stub.baseUrl()));
        PageResult result = client.list(target, "contact", Instant.EPOCH,
                Optional.of("https://evil.example.com/services/data/v59.0/query/01g-2000"), OutboundStub.soon());
        assertThat(result.response()).isInstanceOfSatisfying(OutboundResponse.Rejected.class,
                r -> assertThat(r.reason()).startsWith("the next-page URL is not under the base URL"));
        assertThat(stub.requestCount()).isZero();
    }

    // ---- Stripe --------------------------------------------------------------------------------------------------

    @Test
    void stripeCreatesFormEncodedWithMetadataAndIdempotencyKey() {
        stub.server.stubFor(post(urlPathEqualTo("/v1/customers")).willReturn(okJson("""
                {"id": "cus_NffrFeUfNV2Hib", "object": "customer", "email": "ada@example.com",
                 "metadata": {"loopfree_id": "acme:contact:k1", "loopfree_agent": "loopfree-sync"}}""")));
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("email", "ada@example.com");
        fields.put("name", "Ada Lovelace");
        fields.put("phone", null);
        OutboundResponse response = client.write(OutboundStub.upsert(stub.target("stripe-customers"), null, fields),
                OutboundStub.soon());

        LoggedRequest request = stub.only();
        assertThat(request.getMethod().getName()).isEqualTo("POST");
        assertThat(request.getUrl()).isEqualTo("/v1/customers");
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + OutboundStub.TOKEN);
        assertThat(request.getHeader("Idempotency-Key")).as("our change agent first: Stripe echoes the key in its Event")
                .isEqualTo("loopfree-sync:idem-7f3a");
        assertThat(request.getHeader("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(request.getBodyAsString()).isEqualTo("email=ada%40example.com&name=Ada+Lovelace&phone="
                + "&metadata%5Bloopfree_id%5D=acme%3Acontact%3Ak1&metadata%5Bloopfree_agent%5D=loopfree-sync");
        assertThat(response).isInstanceOfSatisfying(OutboundResponse.Done.class,
                done -> assertThat(done.recordId()).isEqualTo("cus_NffrFeUfNV2Hib"));
    }

    @Test
    void stripeUpdatesByIdOnceTheLinkIsKnown() {
        stub.server.stubFor(post(urlPathEqualTo("/v1/customers/cus_NffrFeUfNV2Hib"))
                .willReturn(okJson("{\"id\": \"cus_NffrFeUfNV2Hib\", \"object\": \"customer\"}")));
        OutboundResponse response = client.write(OutboundStub.upsert(stub.target("stripe-customers"),
                "cus_NffrFeUfNV2Hib", Map.of("email", "ada@example.org")), OutboundStub.soon());
        LoggedRequest request = stub.only();
        assertThat(request.getUrl()).isEqualTo("/v1/customers/cus_NffrFeUfNV2Hib");
        assertThat(request.getHeader("Idempotency-Key")).as("our change agent first: Stripe echoes the key in its Event")
                .isEqualTo("loopfree-sync:idem-7f3a");
        assertThat(request.getBodyAsString()).isEqualTo("email=ada%40example.org"
                + "&metadata%5Bloopfree_id%5D=acme%3Acontact%3Ak1&metadata%5Bloopfree_agent%5D=loopfree-sync");
        assertThat(response).isInstanceOf(OutboundResponse.Done.class);
    }

    @Test
    void stripeHasNoListing() {
        assertThat(client.list(stub.target("stripe-customers"), "contact", Instant.EPOCH, Optional.empty(),
                OutboundStub.soon()).response())
                .isEqualTo(new OutboundResponse.Rejected(0, "profile stripe-customers has no list request", Map.of()));
    }

    // ---- Smartsheet ----------------------------------------------------------------------------------------------

    static OutboundTarget smartsheet() {
        return stub.target("smartsheet-rows", Map.of("baseUrl", stub.baseUrl(), "sheetId", "4583173393803140",
                "externalIdColumnId", "7960873114331012"));
    }

    @Test
    void smartsheetAddsARowWithItsChangeAgent() {
        stub.server.stubFor(post(urlPathEqualTo("/sheets/4583173393803140/rows")).willReturn(okJson("""
                {"message": "SUCCESS", "resultCode": 0, "version": 14,
                 "result": [{"id": 7670198317672324, "sheetId": 4583173393803140, "rowNumber": 1, "cells": []}]}""")));
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("642523719853956", "ada@example.com");
        fields.put("5146123347224452", null);
        OutboundResponse response = client.write(OutboundStub.upsert(smartsheet(), null, fields), OutboundStub.soon());

        LoggedRequest request = stub.only();
        assertThat(request.getMethod().getName()).isEqualTo("POST");
        assertThat(request.getHeader("Smartsheet-Change-Agent")).isEqualTo("loopfree-sync");
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + OutboundStub.TOKEN);
        assertThat(request.getBodyAsString()).isEqualTo("[{\"toBottom\":true,\"cells\":["
                + "{\"columnId\":7960873114331012,\"value\":\"acme:contact:k1\"},"
                + "{\"columnId\":642523719853956,\"value\":\"ada@example.com\"},"
                + "{\"columnId\":5146123347224452,\"value\":\"\"}]}]");
        assertThat(response).isInstanceOfSatisfying(OutboundResponse.Done.class,
                done -> assertThat(done.recordId()).isEqualTo("7670198317672324"));
    }

    @Test
    void smartsheetUpdatesTheRowByIdAndNeverRetriesAnAdd() {
        stub.server.stubFor(put(urlPathEqualTo("/sheets/4583173393803140/rows")).willReturn(okJson("""
                {"message": "SUCCESS", "resultCode": 0, "result": [{"id": 7670198317672324}]}""")));
        OutboundResponse response = client.write(OutboundStub.upsert(smartsheet(), "7670198317672324",
                Map.of("642523719853956", "ada@example.org")), OutboundStub.soon());
        assertThat(stub.only().getBodyAsString()).isEqualTo("[{\"id\":7670198317672324,\"cells\":["
                + "{\"columnId\":642523719853956,\"value\":\"ada@example.org\"}]}]");
        assertThat(response).isInstanceOfSatisfying(OutboundResponse.Done.class,
                done -> assertThat(done.recordId()).isEqualTo("7670198317672324"));

        stub.server.resetAll();
        stub.server.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(502)));
        assertThat(client.write(OutboundStub.upsert(smartsheet(), null, Map.of("642523719853956", "x")),
                OutboundStub.soon())).isInstanceOfSatisfying(OutboundResponse.Unavailable.class,
                        u -> assertThat(u.status()).isEqualTo(502));
        assertThat(stub.requestCount()).isEqualTo(1); // the row may have been added: not sent twice
    }

    @Test
    void smartsheetGetsAndDeletesARow() {
        stub.server.stubFor(get(urlPathEqualTo("/sheets/4583173393803140/rows/7670198317672324")).willReturn(okJson("""
                {"id": 7670198317672324, "sheetId": 4583173393803140, "cells": [{"columnId": 642523719853956, "value": "ada@example.com"}]}""")));
        OutboundResponse row = client.fetch(smartsheet(), "contact", "7670198317672324", OutboundStub.soon());
        assertThat(row).isInstanceOfSatisfying(OutboundResponse.Done.class,
                done -> assertThat(done.body()).containsEntry("id", 7670198317672324L));
        assertThat(stub.only().getHeader("Smartsheet-Change-Agent")).isEqualTo("loopfree-sync");

        stub.server.resetAll();
        stub.server.stubFor(com.github.tomakehurst.wiremock.client.WireMock.delete(anyUrl())
                .willReturn(okJson("{\"message\": \"SUCCESS\", \"resultCode\": 0, \"result\": [7670198317672324]}")));
        assertThat(client.write(OutboundStub.delete(smartsheet(), "7670198317672324"), OutboundStub.soon()))
                .isInstanceOf(OutboundResponse.Done.class);
        assertThat(stub.only().getUrl()).isEqualTo("/sheets/4583173393803140/rows?ids=7670198317672324");
    }
}
