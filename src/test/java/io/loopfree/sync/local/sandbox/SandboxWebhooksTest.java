package io.loopfree.sync.local.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.loopfree.sync.adapters.profiles.ProfileParser;
import io.loopfree.sync.domain.webhook.DeliveredEvents;
import io.loopfree.sync.domain.webhook.ProviderProfile;
import io.loopfree.sync.domain.webhook.Verification;

/**
 * Webhooks as the ingress receives them: signed (checked with the ingress's own verifier for the profile), one per
 * write including the engine's, in the documented body, with each actor-metadata variant, and misbehaving on
 * demand (retries, drops, duplicates, reordering, pauses).
 */
class SandboxWebhooksTest {

    private static final String WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String HUBSPOT_SECRET = "hubspot-client-secret";

    private WebhookReceiver receiver;
    private SandboxProvider sandbox;
    private SandboxClient http;

    @BeforeEach
    void receiver() throws IOException {
        receiver = new WebhookReceiver();
    }

    @AfterEach
    void close() {
        if (sandbox != null) {
            sandbox.close();
        }
        receiver.close();
    }

    private SandboxConfig config(String system) {
        return SandboxConfig.of(system, "acme").withWebhookUrl(receiver.url(system, "acme"))
                .withSigning(SandboxConfig.Signing.standardWebhooks(WHSEC)).withEngineClientId("loopfree-sync-client")
                .withWebhookRetryBackoff(Duration.ofMillis(20));
    }

    private void start(SandboxConfig config) {
        sandbox = SandboxProvider.start(config);
        http = new SandboxClient(sandbox.baseUrl());
    }

    private void awaitQuiet() {
        await().atMost(Duration.ofSeconds(10)).until(() -> sandbox.pendingWebhooks() == 0);
    }

    @Test
    void hubSpotWebhooksFireASkinnyCreationThenOnePropertyChangePerPropertyReadAsTheHubSpotMappingReadsThem() {
        start(config("sandbox-rich").withVariety(SandboxConfig.Variety.HUBSPOT_WEBHOOKS));

        String id = sandbox.humanCreate("contact", Map.of("email", "ada@example.com", "firstname", "Ada")).path("id")
                .asText();
        http.engine("PATCH", "/api/contact/" + id, "{\"phone\":\"+44 1\"}");
        sandbox.humanDelete("contact", id);
        awaitQuiet();

        List<JsonNode> bodies = receiver.bodies();
        assertThat(bodies).extracting(b -> b.path("subscriptionType").asText()).containsExactly("contact.creation",
                "contact.propertyChange", "contact.propertyChange", "contact.propertyChange", "contact.deletion");
        assertThat(bodies.subList(1, 3)).extracting(b -> b.path("propertyName").asText())
                .containsExactlyInAnyOrder("email", "firstname");
        JsonNode creation = bodies.get(0);
        assertThat(creation.has("propertyName")).as("the creation is skinny").isFalse();
        assertThat(creation.path("eventId").isNumber()).isTrue();
        assertThat(creation.path("objectId").asText()).isEqualTo(id);
        assertThat(creation.path("portalId").asText()).isEqualTo("sandbox-rich");
        assertThat(creation.path("changeSource").asText()).isEqualTo("CRM_UI");
        JsonNode engineEdit = bodies.get(3);
        assertThat(engineEdit.path("propertyValue").asText()).isEqualTo("+44 1");
        assertThat(engineEdit.path("changeSource").asText()).isEqualTo("INTEGRATION");
        assertThat(engineEdit.path("sourceId").asText()).isEqualTo("loopfree-sync-client");
        List<Long> times = bodies.stream().map(b -> b.path("occurredAt").asLong()).toList();
        assertThat(times.subList(0, 3)).as("the create's events: its time, epoch ms").containsOnly(times.get(0));
        assertThat(times.get(3)).as("the edit, later").isGreaterThan(times.get(0));
        assertThat(times.get(4)).as("the delete, later still").isGreaterThan(times.get(3));

        io.loopfree.sync.domain.change.ChangeMapping mapping = new io.loopfree.sync.adapters.mapping
                .ClasspathMappingRepository().find("sandbox-rich").orElseThrow();
        java.util.function.Function<JsonNode, io.loopfree.sync.domain.change.Change> read = body -> ((io.loopfree.sync
                .domain.change.ChangeMapping.Mapped) mapping.normalize(io.loopfree.sync.domain.envelope.Envelope.of(
                "sandbox-rich", "acme", body.path("eventId").asText(), Instant.now(),
                Map.of("content-type", "application/json"), body.toString().getBytes()))).change();
        assertThat(read.apply(creation).skinny()).isTrue();
        assertThat(read.apply(creation).recordId()).isEqualTo(id);
        io.loopfree.sync.domain.change.Change phone = read.apply(engineEdit);
        assertThat(phone.partial()).isTrue();
        assertThat(phone.fields().values()).containsExactly(Map.entry("phone", "+44 1"));
        assertThat(phone.actor().kind()).isEqualTo(io.loopfree.sync.domain.change.Actor.Kind.integration);
        assertThat(read.apply(bodies.get(4)).deleted()).isTrue();
    }

    @Test
    void everyWriteFiresOneStandardWebhooksSignedWebhookTheEnginesToo() {
        start(config("sandbox-rich"));

        String id = sandbox.humanCreate("contacts", Map.of("email", "ada@example.com")).path("id").asText();
        http.engine("PATCH", "/api/contacts/" + id, "{\"phone\":\"+44 1\"}");
        sandbox.humanDelete("contacts", id);
        awaitQuiet();

        List<WebhookReceiver.Delivery> deliveries = receiver.deliveries();
        assertThat(deliveries).hasSize(3);
        for (WebhookReceiver.Delivery delivery : deliveries) {
            assertThat(delivery.verifyWith("app", WHSEC, Instant.now())).isInstanceOf(Verification.Verified.class);
            assertThat(delivery.path()).isEqualTo("/webhooks/sandbox-rich/acme");
            assertThat(delivery.header("webhook-id")).isEqualTo(delivery.json().path("eventId").asText());
            assertThat(delivery.header("content-type")).isEqualTo("application/json");
        }
        assertThat(receiver.bodies()).extracting(b -> b.path("type").asText())
                .containsExactly("contacts.created", "contacts.updated", "contacts.deleted");
        JsonNode update = receiver.bodies().get(1);
        assertThat(update.path("eventId").asText()).startsWith("evt_");
        assertThat(update.path("resource").asText()).isEqualTo("contacts");
        assertThat(update.path("recordId").asText()).isEqualTo(id);
        assertThat(update.path("account").asText()).isEqualTo("sandbox-rich");
        assertThat(update.path("record").path("phone").asText()).isEqualTo("+44 1");
        assertThat(update.path("record").path("email").asText()).isEqualTo("ada@example.com");
        assertThat(update.path("occurredAt").asText()).isEqualTo(update.path("record").path("updated_at").asText());
        assertThat(update.path("changedFields")).extracting(JsonNode::asText).containsExactly("phone");
        assertThat(update.has("changeSource")).isFalse(); // no actor metadata by default
        assertThat(update.has("changeOrigin")).isFalse();
        assertThat(receiver.bodies().get(2).path("record").path("deleted").asBoolean()).isTrue();
        assertThat(sandbox.audit().webhooks()).extracting(SandboxAudit.Webhook::delivery, SandboxAudit.Webhook::httpStatus)
                .containsOnly(org.assertj.core.groups.Tuple.tuple("sent", 200));
        // a tampered body fails the same verifier
        WebhookReceiver.Delivery first = deliveries.get(0);
        WebhookReceiver.Delivery tampered = new WebhookReceiver.Delivery(first.method(), first.path(), first.rawQuery(),
                first.headers(), first.json().toString().replace("ada@", "eve@").getBytes());
        assertThat(tampered.verifyWith("app", WHSEC, Instant.now())).isInstanceOf(Verification.Rejected.class);
    }

    @Test
    void hubspotV3SignaturesVerifyWithTheHubspotProfile() {
        start(config("sandbox-hub").withSigning(SandboxConfig.Signing.hubspotV3(HUBSPOT_SECRET)));

        sandbox.humanCreate("contacts", Map.of("firstname", "Ada"));
        awaitQuiet();

        WebhookReceiver.Delivery delivery = receiver.deliveries().get(0);
        assertThat(delivery.header("x-hubspot-signature-v3")).isNotBlank();
        assertThat(Long.parseLong(delivery.header("x-hubspot-request-timestamp")))
                .isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(60_000L));
        assertThat(delivery.verifyWith("hubspot", HUBSPOT_SECRET, Instant.now())).isInstanceOf(Verification.Verified.class);
        assertThat(delivery.verifyWith("hubspot", "another-secret", Instant.now())).isInstanceOf(Verification.Rejected.class);
    }

    @Test
    void theIngressProfilesDocumentedForSandboxesVerifyTheirWebhooksAndFindTheEventId() throws Exception {
        Map<String, ProviderProfile> documented = documentedSandboxProfiles();
        assertThat(documented).containsOnlyKeys("sandbox-rich", "sandbox-hub");
        start(config("sandbox-rich"));
        sandbox.humanCreate("contacts", Map.of("n", 1));
        awaitQuiet();
        sandbox.close();
        start(config("sandbox-hub").withSigning(SandboxConfig.Signing.hubspotV3(HUBSPOT_SECRET)));
        sandbox.humanCreate("contacts", Map.of("n", 2));
        awaitQuiet();

        List<WebhookReceiver.Delivery> deliveries = receiver.deliveries();
        for (int i = 0; i < 2; i++) {
            WebhookReceiver.Delivery delivery = deliveries.get(i);
            ProviderProfile profile = documented.get(i == 0 ? "sandbox-rich" : "sandbox-hub");
            String secret = i == 0 ? WHSEC : HUBSPOT_SECRET;
            assertThat(delivery.verifyWith(profile, secret, Instant.now())).isInstanceOf(Verification.Verified.class);
            assertThat(DeliveredEvents.of(profile, delivery.asGatewayRequest())).singleElement()
                    .extracting(DeliveredEvents.DeliveredEvent::eventId)
                    .isEqualTo(delivery.json().path("eventId").asText());
        }
    }

    /** The profile examples in docs/sandbox.md, parsed by the ingress's own (strict) profile parser. */
    private static Map<String, ProviderProfile> documentedSandboxProfiles() throws IOException {
        String doc = Files.readString(Path.of("docs/sandbox.md"));
        Matcher block = Pattern.compile("```json\\n(\\{\"system\": \"(sandbox-[a-z]+)\".*?)```", Pattern.DOTALL)
                .matcher(doc);
        Map<String, ProviderProfile> profiles = new java.util.HashMap<>();
        ObjectMapper json = new ObjectMapper();
        while (block.find()) {
            profiles.put(block.group(2), ProfileParser.parse(block.group(2), json.readTree(block.group(1))));
        }
        return profiles;
    }

    @Test
    void hubspotLikeActorMetadataTellsHumansFromTheIntegration() {
        start(config("sandbox-rich").withActorMetadata(SandboxConfig.ActorMetadata.HUBSPOT_LIKE));

        String id = sandbox.humanCreateAs("alice", "contacts", Map.of("a", 1)).path("id").asText();
        http.engine("PATCH", "/api/contacts/" + id, "{\"a\":2}");
        awaitQuiet();

        assertThat(receiver.bodies()).extracting(b -> b.path("changeSource").asText(), b -> b.path("sourceId").asText())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("CRM_UI", "userId:alice"),
                        org.assertj.core.groups.Tuple.tuple("INTEGRATION", "loopfree-sync-client"));
    }

    @Test
    void salesforceLikeActorMetadataNamesTheWritersClient() {
        start(config("sandbox-sf").withActorMetadata(SandboxConfig.ActorMetadata.SALESFORCE_LIKE));

        String id = sandbox.humanCreate("contacts", Map.of("a", 1)).path("id").asText();
        http.engine("PATCH", "/api/contacts/" + id, "{\"a\":2}");
        http.engine("PATCH", "/api/contacts/" + id, "{\"a\":3}", "Sforce-Call-Options", "client=loopfree-tag");
        awaitQuiet();

        assertThat(receiver.bodies()).extracting(b -> b.path("changeOrigin").asText()).containsExactly(
                "com/salesforce/api/rest/59.0;client=SfdcInternalAPI",
                "com/salesforce/api/rest/59.0;client=loopfree-sync-client",
                "com/salesforce/api/rest/59.0;client=loopfree-tag");
        assertThat(receiver.bodies().get(1).has("changeSource")).isFalse();
    }

    @Test
    void theChangeAgentComesBackOnlyWhenTheProviderEchoesIt() {
        start(config("sandbox-echo").withEchoChangeAgent(true).withChangeAgentHeader("Smartsheet-Change-Agent"));
        http.engine("POST", "/api/rows", "{\"a\":1}", "Smartsheet-Change-Agent", "loopfree-sync");
        sandbox.humanCreate("rows", Map.of("a", 2));
        awaitQuiet();
        assertThat(receiver.bodies().get(0).path("changeAgent").asText()).isEqualTo("loopfree-sync");
        assertThat(receiver.bodies().get(1).has("changeAgent")).isFalse();
        sandbox.close();

        start(config("sandbox-strip").withEchoChangeAgent(false));
        http.engine("POST", "/api/rows", "{\"a\":1}", "X-Change-Agent", "loopfree-sync");
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.deliveries().size() == 3);
        assertThat(receiver.bodies().get(2).has("changeAgent")).isFalse();
        assertThat(sandbox.audit().writes().get(0).changeAgent()).isEqualTo("loopfree-sync"); // recorded all the same
    }

    @Test
    void skinnyWebhooksCarryOnlyIdsTypeAndTime() {
        start(config("sandbox-skinny").withSkinny(true).withActorMetadata(SandboxConfig.ActorMetadata.HUBSPOT_LIKE)
                .withEchoChangeAgent(true));
        http.engine("POST", "/api/contacts", "{\"a\":1}", "X-Change-Agent", "loopfree-sync");
        awaitQuiet();

        JsonNode body = receiver.bodies().get(0);
        assertThat(body.properties()).extracting(Map.Entry::getKey)
                .containsExactly("eventId", "type", "occurredAt", "recordId");
        assertThat(receiver.deliveries().get(0).verifyWith("app", WHSEC, Instant.now()))
                .isInstanceOf(Verification.Verified.class);
    }

    @Test
    void aFailingReceiverIsRetriedWithTheSameEventAndNeverBreaksTheApi() {
        start(config("sandbox-rich"));
        receiver.answer(503, 500);

        SandboxClient.Answer created = http.human("ada", "POST", "/api/contacts", "{\"a\":1}");
        awaitQuiet();

        assertThat(created.status()).isEqualTo(201);
        assertThat(receiver.deliveries()).hasSize(3);
        assertThat(receiver.deliveries()).extracting(d -> d.header("webhook-id")).containsOnly(
                receiver.deliveries().get(0).header("webhook-id"));
        assertThat(sandbox.audit().webhooks()).extracting(SandboxAudit.Webhook::attempt, SandboxAudit.Webhook::httpStatus)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, 503), org.assertj.core.groups.Tuple.tuple(2, 500),
                        org.assertj.core.groups.Tuple.tuple(3, 200));
    }

    @Test
    void anUnreachableReceiverIsTriedFourTimesThenGivenUp() {
        String url = receiver.url("sandbox-rich", "acme");
        receiver.close(); // nothing listens there any more
        start(config("sandbox-rich").withWebhookUrl(url));

        assertThat(http.human("ada", "POST", "/api/contacts", "{\"a\":1}").status()).isEqualTo(201);
        awaitQuiet();

        assertThat(sandbox.audit().webhooks()).extracting(SandboxAudit.Webhook::delivery).containsExactly("failed",
                "failed", "failed", "failed");
    }

    @Test
    void droppedWebhooksAreAuditedButNeverSent() {
        start(config("sandbox-rich"));
        assertThat(http.send("POST", "/_sandbox/control", "{\"dropWebhooks\":1}").status()).isEqualTo(200);

        String dropped = sandbox.humanCreate("contacts", Map.of("n", 1)).path("id").asText();
        String sent = sandbox.humanCreate("contacts", Map.of("n", 2)).path("id").asText();
        awaitQuiet();

        assertThat(receiver.bodies()).extracting(b -> b.path("recordId").asText()).containsExactly(sent);
        assertThat(sandbox.audit(dropped).webhooks()).extracting(SandboxAudit.Webhook::delivery).containsExactly("dropped");
    }

    @Test
    void duplicatedWebhooksRepeatTheSameEventId() {
        start(config("sandbox-rich"));
        sandbox.control(SandboxControl.duplicateWebhooks(1, 3));

        sandbox.humanCreate("contacts", Map.of("n", 1));
        sandbox.humanCreate("contacts", Map.of("n", 2));
        awaitQuiet();

        List<JsonNode> bodies = receiver.bodies();
        assertThat(bodies).hasSize(4);
        assertThat(bodies.subList(0, 3)).extracting(b -> b.path("eventId").asText()).containsOnly(
                bodies.get(0).path("eventId").asText());
        assertThat(bodies.get(3).path("eventId").asText()).isNotEqualTo(bodies.get(0).path("eventId").asText());
        assertThat(receiver.deliveries()).allSatisfy(d -> assertThat(d.verifyWith("app", WHSEC, Instant.now()))
                .isInstanceOf(Verification.Verified.class));
        assertThat(sandbox.audit().webhooks()).extracting(SandboxAudit.Webhook::delivery)
                .containsExactly("sent", "duplicate", "duplicate", "sent");
    }

    @Test
    void reorderedWebhooksArriveNewestFirst() {
        start(config("sandbox-rich"));
        http.send("POST", "/_sandbox/control", "{\"reorderWebhooks\":3}");

        String id = sandbox.humanCreate("contacts", Map.of("n", 1)).path("id").asText();
        sandbox.humanEdit("contacts", id, Map.of("n", 2));
        assertThat(sandbox.pendingWebhooks()).isEqualTo(2); // held until the third
        sandbox.humanEdit("contacts", id, Map.of("n", 3));
        sandbox.humanEdit("contacts", id, Map.of("n", 4)); // after the reordered batch, in order again
        awaitQuiet();

        assertThat(receiver.bodies()).extracting(b -> b.path("record").path("n").asInt()).containsExactly(3, 2, 1, 4);
    }

    @Test
    void pausedWebhooksWaitAndCountAsPendingThenGoInOrder() {
        start(config("sandbox-rich"));
        http.send("POST", "/_sandbox/control", "{\"pauseWebhooks\":true}");

        sandbox.humanCreate("contacts", Map.of("n", 1));
        sandbox.humanCreate("contacts", Map.of("n", 2));
        assertThat(sandbox.pendingWebhooks()).isEqualTo(2);
        assertThat(http.send("GET", "/_sandbox/status", null).json().path("pendingWebhooks").asInt()).isEqualTo(2);
        assertThat(receiver.deliveries()).isEmpty();

        sandbox.control(SandboxControl.resume());
        awaitQuiet();
        assertThat(receiver.bodies()).extracting(b -> b.path("record").path("n").asInt()).containsExactly(1, 2);
    }

    @Test
    void delayedWebhooksArriveAfterTheDelay() {
        start(config("sandbox-rich"));
        sandbox.control(SandboxControl.webhookDelay(Duration.ofMillis(400)));

        long before = System.nanoTime();
        sandbox.humanCreate("contacts", Map.of("n", 1));
        assertThat(sandbox.pendingWebhooks()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.deliveries().size() == 1);

        assertThat(Duration.ofNanos(System.nanoTime() - before)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
    }

    @Test
    void noWebhookUrlMeansNoWebhooks() {
        start(SandboxConfig.of("sandbox-quiet", "acme"));
        sandbox.humanCreate("contacts", Map.of("n", 1));
        assertThat(sandbox.pendingWebhooks()).isZero();
        assertThat(sandbox.audit().webhooks()).isEmpty();
    }
}
