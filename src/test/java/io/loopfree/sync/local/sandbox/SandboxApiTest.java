package io.loopfree.sync.local.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** The records API over real HTTP: CRUD, upsert, paging, idempotency, who wrote, normalization, audit. */
class SandboxApiTest {

    private SandboxProvider sandbox;
    private SandboxClient http;

    private SandboxClient start(SandboxConfig config) {
        sandbox = SandboxProvider.start(config);
        http = new SandboxClient(sandbox.baseUrl());
        return http;
    }

    @AfterEach
    void close() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    void createGetPatchDeleteKeepsATombstone() {
        start(SandboxConfig.of("sandbox-rich", "acme"));

        SandboxClient.Answer created = http.human("ada", "POST", "/api/contacts", "{\"email\":\"ada@example.com\",\"age\":36}");
        assertThat(created.status()).isEqualTo(201);
        JsonNode record = created.json();
        String id = record.path("id").asText();
        assertThat(id).isEqualTo("rich_1");
        assertThat(record.path("email").asText()).isEqualTo("ada@example.com");
        assertThat(record.path("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(record.path("updated_at").asText()).isEqualTo(record.path("created_at").asText());
        assertThat(record.path("deleted").asBoolean()).isFalse();

        assertThat(http.human("ada", "GET", "/api/contacts/" + id, null).json()).isEqualTo(record);

        SandboxClient.Answer patched = http.human("ada", "PATCH", "/api/contacts/" + id, "{\"age\":37,\"city\":\"London\"}");
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.json().path("email").asText()).isEqualTo("ada@example.com");
        assertThat(patched.json().path("age").asInt()).isEqualTo(37);
        assertThat(patched.json().path("updated_at").asText()).isGreaterThan(record.path("updated_at").asText());

        assertThat(http.human("ada", "DELETE", "/api/contacts/" + id, null).status()).isEqualTo(204);
        JsonNode tombstone = http.human("ada", "GET", "/api/contacts/" + id, null).json();
        assertThat(tombstone.path("deleted").asBoolean()).isTrue();
        assertThat(tombstone.path("city").asText()).isEqualTo("London");
        assertThat(http.human("ada", "PATCH", "/api/contacts/" + id, "{\"age\":1}").status()).isEqualTo(404);
        assertThat(http.human("ada", "DELETE", "/api/contacts/" + id, null).status()).isEqualTo(404);
        assertThat(http.human("ada", "GET", "/api/contacts/nope_1", null).status()).isEqualTo(404);
        assertThat(http.human("ada", "POST", "/api/contacts", "[1,2]").status()).isEqualTo(400);
        assertThat(http.human("ada", "PUT", "/api/contacts/" + id, "{}").status()).isEqualTo(404);
    }

    @Test
    void readOnlyFieldsInABodyAreIgnored() {
        start(SandboxConfig.of("sandbox-rich", "acme"));
        JsonNode record = http.human("ada", "POST", "/api/contacts",
                "{\"id\":\"mine\",\"updated_at\":\"2000-01-01T00:00:00Z\",\"deleted\":true,\"name\":\"x\"}").json();
        assertThat(record.path("id").asText()).isEqualTo("rich_1");
        assertThat(record.path("deleted").asBoolean()).isFalse();
        assertThat(record.path("updated_at").asText()).doesNotStartWith("2000");
        assertThat(sandbox.audit().writes().get(0).fields()).containsExactly("name");
    }

    @Test
    void upsertByExternalIdCreatesThenPatchesTheSameRecord() {
        start(SandboxConfig.of("sandbox-rich", "acme"));

        SandboxClient.Answer first = http.engine("PUT", "/api/contacts/by-external-id/acme:contacts:42", "{\"name\":\"Ada\"}");
        SandboxClient.Answer second = http.engine("PUT", "/api/contacts/by-external-id/acme:contacts:42", "{\"city\":\"Paris\"}");

        assertThat(first.status()).isEqualTo(201);
        assertThat(first.json().path("loopfree_id").asText()).isEqualTo("acme:contacts:42");
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.json().path("id").asText()).isEqualTo(first.json().path("id").asText());
        assertThat(second.json().path("name").asText()).isEqualTo("Ada");
        assertThat(sandbox.records("contacts")).hasSize(1);
        // a create with an external id that a live record holds is a conflict, not a second record
        assertThat(http.engine("POST", "/api/contacts", "{\"loopfree_id\":\"acme:contacts:42\"}").status()).isEqualTo(409);
    }

    @Test
    void anUpdateByExternalIdOnlyProviderRefusesTheEnginesPatchByIdButNotAPersons() {
        start(SandboxConfig.of("sandbox-rich", "acme").withVariety(SandboxConfig.Variety.UPDATE_BY_EXTERNAL_ID_ONLY));
        String id = http.human("ada", "POST", "/api/contacts", "{\"name\":\"Ada\"}").json().path("id").asText();

        assertThat(http.engine("PATCH", "/api/contacts/" + id, "{\"city\":\"Paris\"}").status()).isEqualTo(405);
        assertThat(http.human("ada", "PATCH", "/api/contacts/" + id, "{\"city\":\"Lyon\"}").status()).isEqualTo(200);
        assertThat(http.engine("PUT", "/api/contacts/by-external-id/acme:contacts:42", "{\"n\":1}").status())
                .isEqualTo(201);
        assertThat(sandbox.records("contacts")).hasSize(2);
        assertThat(sandbox.audit().writes()).extracting(SandboxAudit.Write::status).containsExactly(201, 405, 200, 201);
    }

    @Test
    void concurrentUpsertsOfOneExternalIdCreateOneRecord() throws Exception {
        start(SandboxConfig.of("sandbox-rich", "acme"));
        int clients = 16;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int n = i;
                Callable<Integer> upsert = () -> {
                    go.await();
                    return http.engine("PUT", "/api/contacts/by-external-id/ext-1", "{\"n\":" + n + "}").status();
                };
                statuses.add(pool.submit(upsert));
            }
            go.countDown();
            List<Integer> results = new ArrayList<>();
            for (Future<Integer> status : statuses) {
                results.add(status.get());
            }
            assertThat(results).containsOnly(200, 201).filteredOn(s -> s == 201).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(sandbox.records("contacts")).hasSize(1);
        assertThat(sandbox.audit().writes()).hasSize(clients);
    }

    @Test
    void listingPagesInUpdatedAtOrderWithACursorThatEditsDoNotDisturb() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        start(SandboxConfig.of("sandbox-rich", "acme").withClock(clock));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofSeconds(1));
            ids.add(sandbox.humanCreate("contacts", Map.of("n", i)).path("id").asText());
        }
        sandbox.humanCreate("companies", Map.of("n", 0)); // another resource is another list

        JsonNode page1 = http.engine("GET", "/api/contacts?limit=2", null).json();
        assertThat(idsOf(page1)).containsExactly(ids.get(0), ids.get(1));
        // while the client pages: one listed record and one not yet listed are edited, one is deleted
        clock.advance(Duration.ofSeconds(1));
        sandbox.humanEdit("contacts", ids.get(0), Map.of("n", 10));
        clock.advance(Duration.ofSeconds(1));
        sandbox.humanEdit("contacts", ids.get(3), Map.of("n", 13));
        clock.advance(Duration.ofSeconds(1));
        sandbox.humanDelete("contacts", ids.get(2));
        List<String> seen = new ArrayList<>(idsOf(page1));
        String next = page1.path("next").asText();
        while (true) {
            JsonNode page = http.engine("GET", "/api/contacts?limit=2&cursor=" + next, null).json();
            seen.addAll(idsOf(page));
            if (page.path("next").isNull()) {
                break;
            }
            next = page.path("next").asText();
        }
        // nothing skipped; edited records come again at their new position; the delete is listed as a tombstone
        assertThat(seen).containsExactly(ids.get(0), ids.get(1), ids.get(4), ids.get(0), ids.get(3), ids.get(2));
        JsonNode since = http.engine("GET", "/api/contacts?updated_since=2026-01-01T00:00:06Z", null).json();
        assertThat(idsOf(since)).containsExactly(ids.get(0), ids.get(3), ids.get(2));
        assertThat(since.path("results").get(2).path("deleted").asBoolean()).isTrue();
        assertThat(since.path("next").isNull()).isTrue();
        assertThat(http.engine("GET", "/api/contacts?limit=101", null).status()).isEqualTo(400);
        assertThat(http.engine("GET", "/api/contacts?cursor=bogus", null).status()).isEqualTo(400);
        assertThat(http.engine("GET", "/api/contacts?updated_since=yesterday", null).status()).isEqualTo(400);
    }

    @Test
    void theSameIdempotencyKeyReplaysTheFirstResponseWithoutWriting() {
        start(SandboxConfig.of("sandbox-rich", "acme"));

        SandboxClient.Answer first = http.engine("POST", "/api/contacts", "{\"name\":\"Ada\"}", "Idempotency-Key", "k-1");
        SandboxClient.Answer again = http.engine("POST", "/api/contacts", "{\"name\":\"Ada\"}", "Idempotency-Key", "k-1");

        assertThat(again.status()).isEqualTo(201);
        assertThat(again.json()).isEqualTo(first.json());
        assertThat(sandbox.records("contacts")).hasSize(1);
        assertThat(sandbox.audit().writes()).extracting(SandboxAudit.Write::replayed).containsExactly(false, true);
        assertThat(sandbox.audit().writes()).extracting(SandboxAudit.Write::idempotencyKey).containsExactly("k-1", "k-1");
        assertThat(sandbox.audit().writes().get(1).recordId()).isEqualTo(first.json().path("id").asText());
    }

    @Test
    void theEngineIsItsTokenAHumanHasNoneAnyOtherTokenIsRefused() {
        start(SandboxConfig.of("sandbox-rich", "acme"));

        http.engine("POST", "/api/contacts", "{\"a\":1}", "X-Change-Agent", "loopfree-sync");
        http.human("alice", "POST", "/api/contacts", "{\"a\":2}");
        http.send("POST", "/api/contacts", "{\"a\":3}");
        SandboxClient.Answer refused = http.send("POST", "/api/contacts", "{\"a\":4}", "Authorization", "Bearer stolen");

        assertThat(refused.status()).isEqualTo(401);
        assertThat(http.send("GET", "/api/contacts", null, "Authorization", "Basic abc").status()).isEqualTo(401);
        assertThat(sandbox.records("contacts")).hasSize(3);
        assertThat(sandbox.audit().writes()).extracting(SandboxAudit.Write::by, SandboxAudit.Write::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("engine", 201),
                        org.assertj.core.groups.Tuple.tuple("human:alice", 201),
                        org.assertj.core.groups.Tuple.tuple("human:human", 201),
                        org.assertj.core.groups.Tuple.tuple("unauthenticated", 401));
        assertThat(sandbox.audit().writes().get(0).changeAgent()).isEqualTo("loopfree-sync");
    }

    @Test
    void updatedAtMovesStrictlyForwardWithinOneMillisecond() {
        MutableClock frozen = new MutableClock(Instant.parse("2026-01-01T00:00:00.500Z"));
        start(SandboxConfig.of("sandbox-rich", "acme").withClock(frozen));
        String id = sandbox.humanCreate("contacts", Map.of("n", 0)).path("id").asText();
        List<String> stamps = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            stamps.add(sandbox.humanEdit("contacts", id, Map.of("n", i)).path("updated_at").asText());
        }
        assertThat(stamps).containsExactly("2026-01-01T00:00:00.501Z", "2026-01-01T00:00:00.502Z",
                "2026-01-01T00:00:00.503Z");
    }

    @Test
    void aNormalizingProviderRewritesValuesAndKeepsWholeSeconds() {
        MutableClock frozen = new MutableClock(Instant.parse("2026-01-01T00:00:00.500Z"));
        start(SandboxConfig.of("sandbox-norm", "acme").withNormalizeValues(true).withClock(frozen));

        JsonNode record = http.engine("POST", "/api/contacts",
                "{\"vip\":true,\"name\":\"  Ada \",\"seen\":\"2026-02-03T04:05:06.789Z\",\"n\":7}").json();
        JsonNode edited = http.engine("PATCH", "/api/contacts/" + record.path("id").asText(), "{\"vip\":false}").json();

        assertThat(record.path("vip").asText()).isEqualTo("true");
        assertThat(record.path("vip").isTextual()).isTrue();
        assertThat(record.path("name").asText()).isEqualTo("Ada");
        assertThat(record.path("seen").asText()).isEqualTo("2026-02-03T04:05:06Z");
        assertThat(record.path("n").asInt()).isEqualTo(7);
        assertThat(record.path("updated_at").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(record.path("hs_lastmodifieddate").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(edited.path("vip").asText()).isEqualTo("false");
        assertThat(edited.path("updated_at").asText()).isEqualTo("2026-01-01T00:00:01Z"); // same second, still later
        assertThat(edited.path("hs_lastmodifieddate").asText()).isEqualTo("2026-01-01T00:00:01Z");
    }

    @Test
    void theAuditSaysWhoWroteWhichFieldsAndCanBeReadPerRecordOverHttp() {
        start(SandboxConfig.of("sandbox-rich", "acme"));
        String a = sandbox.humanCreateAs("bob", "contacts", Map.of("email", "a@x")).path("id").asText();
        String b = sandbox.humanCreate("contacts", Map.of("email", "b@x")).path("id").asText();
        http.engine("PATCH", "/api/contacts/" + a, "{\"phone\":\"1\",\"city\":\"Oslo\"}", "X-Change-Agent", "loopfree",
                "Idempotency-Key", "idem-9");

        JsonNode audit = http.send("GET", "/_sandbox/audit?record=" + a, null).json();

        assertThat(audit.path("writes")).hasSize(2);
        JsonNode write = audit.path("writes").get(1);
        assertThat(write.path("by").asText()).isEqualTo("engine");
        assertThat(write.path("method").asText()).isEqualTo("PATCH");
        assertThat(write.path("resource").asText()).isEqualTo("contacts");
        assertThat(write.path("recordId").asText()).isEqualTo(a);
        assertThat(write.path("fields")).extracting(JsonNode::asText).containsExactly("phone", "city");
        assertThat(write.path("changeAgent").asText()).isEqualTo("loopfree");
        assertThat(write.path("idempotencyKey").asText()).isEqualTo("idem-9");
        assertThat(write.path("status").asInt()).isEqualTo(200);
        assertThat(write.path("replayed").asBoolean()).isFalse();
        assertThat(write.path("at").asText()).endsWith("Z");
        assertThat(audit.path("writes").get(0).path("by").asText()).isEqualTo("human:bob");
        assertThat(http.send("GET", "/_sandbox/audit", null).json().path("writes")).hasSize(3);
        assertThat(sandbox.audit(b).writes()).hasSize(1);

        assertThat(http.send("POST", "/_sandbox/reset", null).status()).isEqualTo(204);
        assertThat(sandbox.audit().writes()).isEmpty();
        assertThat(sandbox.records("contacts")).isEmpty();
        assertThat(sandbox.humanCreate("contacts", Map.of()).path("id").asText()).isEqualTo("rich_1");
    }

    @Test
    void requestTextInTheAuditIsBoundedAndEscaped() {
        start(SandboxConfig.of("sandbox-rich", "acme"));
        sandbox.humanCreateAs("eve\u001b[31m" + "x".repeat(500), "contacts", Map.of("f", 1));
        String by = sandbox.audit().writes().get(0).by();
        assertThat(by).startsWith("human:eve\\u001b[31m").hasSizeLessThan(SafeText.MAX + 10);
    }

    private static List<String> idsOf(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.path("results").forEach(r -> ids.add(r.path("id").asText()));
        Set<String> unique = new HashSet<>(ids);
        assertThat(unique).hasSameSizeAs(ids);
        return ids;
    }
}
