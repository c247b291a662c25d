package io.loopfree.sync.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.adapters.mapping.ClasspathMappingRepository;
import io.loopfree.sync.domain.change.Actor;
import io.loopfree.sync.domain.change.Change;
import io.loopfree.sync.domain.change.FieldMapping;
import io.loopfree.sync.domain.change.FieldSet;

/** The shipped mappings' unified-field translations (JSONata) and the skinny enrichment, over real files. */
class UnifiedFieldsTest {

    private final ClasspathMappingRepository mappings = new ClasspathMappingRepository();

    @Test
    void theAppsSingleNameSplitsIntoFirstAndLastAndJoinsBack() {
        FieldMapping app = fields("app");
        Map<String, Object> unified = app.toUnified(FieldSet.of(Map.of("email", "ada@example.com", "name", "Ada King Lovelace")));
        assertThat(unified).containsEntry("firstName", "Ada").containsEntry("lastName", "King Lovelace")
                .containsEntry("email", "ada@example.com").doesNotContainKey("phone");
        assertThat(app.fromUnified(unified).values()).containsEntry("name", "Ada King Lovelace")
                .containsEntry("email", "ada@example.com");
        assertThat(app.fromUnified(Map.of("firstName", "Ada")).values()).containsEntry("name", "Ada");
    }

    @Test
    void aClearedFieldStaysClearedAndAPartialChangeTellsOnlyItsFields() {
        FieldMapping rich = fields("sandbox-rich");
        Map<String, Object> cleared = new HashMap<>();
        cleared.put("phone", null);
        assertThat(rich.toUnified(FieldSet.of(cleared))).containsOnlyKeys("phone").containsEntry("phone", null);
        assertThat(rich.fromUnified(cleared).values()).containsEntry("phone", null);
        assertThat(rich.toUnified(FieldSet.of(Map.of("firstname", "Ada")))).containsOnly(Map.entry("firstName", "Ada"));
    }

    @Test
    void theSameContactInThreeSystemsNamesItsFieldsThreeWays() {
        Map<String, Object> unified = Map.of("email", "ada@example.com", "firstName", "Ada", "lastName", "Lovelace",
                "subscribed", true);
        assertThat(fields("sandbox-rich").fromUnified(unified).values()).containsEntry("firstname", "Ada")
                .containsEntry("lastname", "Lovelace").containsEntry("hs_email_optout", false);
        assertThat(fields("sandbox-skinny").fromUnified(unified).values()).containsEntry("FirstName", "Ada")
                .containsEntry("LastName", "Lovelace").containsEntry("Subscribed__c", true);
        assertThat(fields("hubspot").fromUnified(unified).values()).containsEntry("firstname", "Ada")
                .containsEntry("hs_email_optout", false);
    }

    @Test
    void aSystemThatKeepsSecondsGetsOurTimestampsTruncatedSoItsEchoHashesTheSame() {
        FieldSet written = fields("sandbox-skinny").fromUnified(Map.of("lastLoginAt", "2026-11-20T10:00:30.123Z"));
        assertThat(written.values()).containsEntry("LastLogin__c", "2026-11-20T10:00:30.000Z");
    }

    @Test
    void aSkinnyChangeIsMadeWholeWithTheFetchedRecord() {
        Change skinny = new Change("evt_1", "sandbox-skinny", "acme", "acct", "contact", "skn_1", null,
                Instant.parse("2026-11-20T10:00:00Z"), null, null, false, true, false, FieldSet.EMPTY);
        Map<String, Object> record = new HashMap<>(Map.of("id", "skn_1", "Email", " ada@example.com ",
                "Subscribed__c", "true", "loopfree_id", "app:c_42", "updated_at", "2026-11-20T10:00:01Z",
                "hs_lastmodifieddate", "2026-11-20T10:00:01Z"));
        Change whole = mappings.find("sandbox-skinny").orElseThrow().enrich(skinny, record).orElseThrow();
        assertThat(whole.skinny()).isFalse();
        assertThat(whole.partial()).isFalse();
        assertThat(whole.canonicalKey()).isEqualTo("app:c_42");
        assertThat(whole.occurredAt()).isEqualTo(Instant.parse("2026-11-20T10:00:01Z"));
        assertThat(whole.fields().values()).containsEntry("Email", "ada@example.com").containsEntry("Subscribed__c", true)
                .containsEntry("FirstName", null).doesNotContainKey("hs_lastmodifieddate");
        assertThat(whole.actor()).isEqualTo(Actor.UNKNOWN);
    }

    private FieldMapping fields(String system) {
        return mappings.find(system).orElseThrow().fieldMapping("contact").orElseThrow();
    }
}
