package io.loopfree.sync.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.loopfree.sync.adapters.mapping.ClasspathMappingRepository;
import io.loopfree.sync.domain.envelope.EnvelopeCodec;
import io.loopfree.sync.domain.change.Actor;
import io.loopfree.sync.domain.change.Change;
import io.loopfree.sync.domain.change.ChangeMapping;
import io.loopfree.sync.domain.change.MappingException;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.support.Fixtures;

/** Every shipped provider mapping over its recorded sample payload (functions/processor/events/provider-*.json). */
class ProviderMappingsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ClasspathMappingRepository mappings = new ClasspathMappingRepository();

    @Test
    void appContactUpdate() {
        Change change = map("provider-app-contact-updated.json");
        assertThat(change.eventId()).isEqualTo("msg_2oV1pRkq8VcG7sXbE4nT9uZyW3a");
        assertThat(change.account()).isEqualTo("acme");
        assertThat(change.resource()).isEqualTo("contact");
        assertThat(change.recordId()).isEqualTo("c_42");
        assertThat(change.canonicalKey()).as("no loopfree_id: resolved through the identity link, else app:c_42")
                .isNull();
        assertThat(change.occurredAt()).isEqualTo(Instant.parse("2026-11-20T09:59:58Z"));
        assertThat(change.actor()).isEqualTo(new Actor(Actor.Kind.human, "u_7"));
        assertThat(change.partial()).isFalse();
        assertThat(change.fields().values()).containsEntry("email", "ada@example.com")
                .containsEntry("subscribed", true).containsEntry("plan", "pro")
                .containsEntry("score", null) // complete payload without the field: empty
                .doesNotContainKey("id");
    }

    @Test
    void hubspotPropertyChangeIsPartialAndHuman() {
        Change change = map("provider-hubspot-property-change.json");
        assertThat(change.eventId()).isEqualTo("1846001001");
        assertThat(change.account()).isEqualTo("62515");
        assertThat(change.recordId()).isEqualTo("1246965");
        assertThat(change.canonicalKey()).as("resolved through the identity link, else hubspot:1246965").isNull();
        assertThat(change.occurredAt()).isEqualTo(Instant.ofEpochMilli(1795168795123L));
        assertThat(change.actor()).isEqualTo(new Actor(Actor.Kind.human, "userId:45678"));
        assertThat(change.partial()).isTrue();
        assertThat(change.fields().values()).containsExactly(Map.entry("lifecyclestage", "customer"));
    }

    @Test
    void hubspotCreationIsSkinnyAndDeletionIsDeletedByAnIntegration() {
        Change created = map("provider-hubspot-creation.json");
        assertThat(created.skinny()).isTrue();
        assertThat(created.fields().isEmpty()).isTrue();
        Change deleted = map("provider-hubspot-deletion.json");
        assertThat(deleted.deleted()).isTrue();
        assertThat(deleted.actor()).isEqualTo(new Actor(Actor.Kind.integration, "1122334"));
    }

    @Test
    void stripeCustomerFromDataObject() {
        Change change = map("provider-stripe-customer-updated.json");
        assertThat(change.eventId()).isEqualTo("evt_1QfX8dLkdIwHu7ix");
        assertThat(change.resource()).as("the unified resource type").isEqualTo("contact");
        assertThat(change.recordId()).isEqualTo("cus_Qx7Ld1");
        assertThat(change.canonicalKey()).as("our key kept in metadata").isEqualTo("app:c_42");
        assertThat(change.account()).as("no Connect account: the tenant").isEqualTo("acme");
        assertThat(change.occurredAt()).isEqualTo(Instant.ofEpochSecond(1795168790L));
        assertThat(change.actor().kind()).as("request.id set: API or Dashboard").isEqualTo(Actor.Kind.unknown);
        assertThat(change.changeAgent()).as("a random idempotency key is no agent").isNull();
        assertThat(map("provider-stripe-customer-updated.json", body -> body.replace(
                "5e3c1f0a-7d1b-4c8e-9f55-2b6d8a0c4e11", "loopfree-sync:loopfree-0123456789abcdef")).changeAgent())
                .as("our write's key, <agent>:<key>, echoed by Stripe").isEqualTo("loopfree-sync");
        assertThat(change.fields().values()).containsEntry("name", "Ada Lovelace").containsEntry("phone", null)
                .as("metadata holds our own id and tag: not tracked").doesNotContainKey("metadata");
    }

    @Test
    void githubIssueWithSender() {
        Change change = map("provider-github-issue-edited.json");
        assertThat(change.eventId()).isEqualTo("72d3162e-cc78-11e3-81ab-4c9367dc0958");
        assertThat(change.account()).isEqualTo("42424242");
        assertThat(change.recordId()).isEqualTo("acme/widgets#1347");
        assertThat(change.actor()).isEqualTo(new Actor(Actor.Kind.human, "octocat"));
        assertThat(change.fields().values()).containsEntry("labels", List.of("bug", "sync"))
                .containsEntry("assignee", "octocat").containsEntry("milestone", null);
    }

    @Test
    void shopifyOrderAndCustomerFromHeadersAndBody() {
        Change order = map("provider-shopify-order-updated.json");
        assertThat(order.resource()).isEqualTo("order");
        assertThat(order.eventId()).isEqualTo("98880550-7158-44d4-b7cd-2c97c8a091b5");
        assertThat(order.account()).isEqualTo("acme-widgets.myshopify.com");
        assertThat(order.occurredAt()).isEqualTo(Instant.parse("2026-11-20T09:59:41Z"));
        assertThat(order.fields().values()).containsEntry("total_price", new BigDecimal("199.9"))
                .containsEntry("note", "Gift wrap").containsEntry("cancelled_at", null);
        Change customer = map("provider-shopify-customer-update.json");
        assertThat(customer.resource()).isEqualTo("contact");
        assertThat(customer.recordId()).isEqualTo("706405506930370084");
        assertThat(customer.fields().values()).containsEntry("tags", null).containsEntry("first_name", "Bob");
    }

    @Test
    void jiraIssueWithUserAndChangelog() {
        Change change = map("provider-jira-issue-updated.json");
        assertThat(change.eventId()).isEqualTo("3f6b1c2d-0a9e-4b7c-8d5f-1e2a3b4c5d6e");
        assertThat(change.account()).isEqualTo("acme.atlassian.net");
        assertThat(change.recordId()).isEqualTo("SYNC-7");
        assertThat(change.actor()).isEqualTo(new Actor(Actor.Kind.human, "5b10a2844c20165700ede21g"));
        assertThat(change.fields().values()).containsEntry("status", "In Progress")
                .containsEntry("summary", "Customer portal login fails").containsEntry("labels", List.of("portal", "auth"));
    }

    @Test
    void graphNotificationIsSkinny() {
        Change change = map("provider-msgraph-contact-updated.json");
        assertThat(change.skinny()).isTrue();
        assertThat(change.resource()).isEqualTo("contact");
        assertThat(change.recordId()).isEqualTo("AAMkAGUwNjQ4ZjIxAAA=");
        assertThat(change.account()).isEqualTo("84bd8158-6d4d-4958-8b9f-9d6445542f95");
        assertThat(change.eventId()).as("no id in the notification: the envelope's").isEqualTo("graph-5c1a4d2e");
        assertThat(change.occurredAt()).as("no time in the notification: receipt").isEqualTo(Instant.parse("2026-11-20T10:00:20Z"));
    }

    @Test
    void smartsheetCallbackIsASkinnySheetChange() {
        Change change = map("provider-smartsheet-callback.json");
        assertThat(change.skinny()).isTrue();
        assertThat(change.resource()).isEqualTo("sheet");
        assertThat(change.recordId()).isEqualTo("7365231232739204");
        assertThat(change.eventId()).isEqualTo("4509506057226116:4b2ed20d-6f00-4b0c-8fac-082182aa9aac");
        assertThat(change.actor().id()).isEqualTo("3489013592147844");
    }

    @Test
    void salesforceCdcUpdateIsPartialWithOrigin() {
        Change change = map("provider-salesforce-contact-update.json");
        assertThat(change.eventId()).isEqualTo("3b5e7a9c-1d2f-4a6b-8c0e-2f4a6b8c0e1d");
        assertThat(change.recordId()).isEqualTo("0035e00000Bv7gQAAR");
        assertThat(change.occurredAt()).isEqualTo(Instant.ofEpochMilli(1795168784000L));
        assertThat(change.partial()).isTrue();
        assertThat(change.actor()).isEqualTo(new Actor(Actor.Kind.human, "0055e000001AbCdAAK"));
        assertThat(change.changeAgent()).isEqualTo("SfdcInternalAPI/");
        assertThat(change.fields().values()).containsOnly(Map.entry("Email", "ada.lovelace@example.com"),
                Map.entry("HasOptedOutOfEmail", false));
    }

    @Test
    void ourChangeAgentIsReadFromSalesforceChangeOrigin() {
        assertThat(map("scenario-echo-agent.json").changeAgent()).isEqualTo("loopfree-sync");
    }

    @Test
    void aPayloadTheMappingCannotReadIsAFailureNamingTheCause() {
        Envelope envelope = envelopes("scenario-mapping-error.json").get(0);
        assertThatThrownBy(() -> mappings.find("hubspot").orElseThrow().normalize(envelope))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining("hubspot").hasMessageContaining("occurredAt");
    }

    @Test
    void anEventTypeTheMappingDoesNotSyncIsIgnoredNotFailed() {
        Envelope charge = new Envelope("stripe", "acme", "evt_charge", Instant.parse("2026-11-20T10:00:00Z"), Map.of(),
                "{\"id\":\"evt_charge\",\"type\":\"charge.succeeded\",\"created\":1795168790,"
                        + "\"data\":{\"object\":{\"id\":\"ch_1\",\"object\":\"charge\"}},\"request\":{\"id\":null}}",
                Envelope.BodyEncoding.utf8);
        assertThat(mappings.find("stripe").orElseThrow().normalize(charge))
                .isEqualTo(new ChangeMapping.Ignored("charge.succeeded"));
    }

    @Test
    void everyShippedMappingParses() {
        for (String system : List.of("app", "hubspot", "stripe", "github", "shopify", "jira", "msgraph", "smartsheet",
                "salesforce")) {
            assertThat(mappings.find(system)).as(system).isPresent();
        }
        assertThat(mappings.find("../profiles/app")).isEmpty();
    }

    @Test
    void aBodyTheIngressGzippedMapsToTheSameChange() {
        Envelope plain = envelopes("provider-app-contact-updated.json").get(0);
        Envelope gzipped = EnvelopeCodec.decode(EnvelopeCodec.encode(plain.gzipped()));
        assertThat(gzipped.bodyEncoding()).isEqualTo(Envelope.BodyEncoding.gzip_base64);

        ChangeMapping mapping = mappings.find("app").orElseThrow();
        assertThat(mapping.normalize(gzipped)).isEqualTo(mapping.normalize(plain));
    }

    private Change map(String fixture) {
        return map(fixture, java.util.function.UnaryOperator.identity());
    }

    /** The fixture's first envelope, its body (the provider's JSON) edited first. */
    private Change map(String fixture, java.util.function.UnaryOperator<String> editBody) {
        Envelope recorded = envelopes(fixture).get(0);
        Envelope envelope = new Envelope(recorded.system(), recorded.tenant(), recorded.eventId(), recorded.receivedAt(),
                recorded.headers(), editBody.apply(recorded.body()), recorded.bodyEncoding());
        ChangeMapping.Normalized normalized = mappings.find(envelope.system()).orElseThrow().normalize(envelope);
        assertThat(normalized).isInstanceOf(ChangeMapping.Mapped.class);
        Change change = ((ChangeMapping.Mapped) normalized).change();
        assertThat(change.system()).isEqualTo(envelope.system());
        assertThat(change.tenant()).isEqualTo("acme");
        return change;
    }

    static List<Envelope> envelopes(String fixture) {
        try {
            JsonNode event = JSON.readTree(Fixtures.event("processor", fixture));
            return java.util.stream.StreamSupport.stream(event.path("Records").spliterator(), false)
                    .map(r -> EnvelopeCodec.decode(r.path("body").asText())).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
