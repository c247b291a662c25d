package io.loopfree.sync.local.sandbox;

import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One webhook: the sandbox's own documented body (docs/sandbox.md), serialized once so that every delivery of
 * it (retries, duplicates) carries the same bytes and the same event id.
 */
record WebhookEvent(String eventId, String type, String recordId, byte[] body) {

    private static final ObjectMapper JSON = new ObjectMapper();

    enum Kind {
        created,
        updated,
        deleted
    }

    private static final java.util.concurrent.atomic.AtomicLong HUBSPOT_EVENT_IDS =
            new java.util.concurrent.atomic.AtomicLong(System.currentTimeMillis() * 1000);

    /** The webhooks one write fires: one, or HubSpot's several ({@link SandboxConfig.Variety#HUBSPOT_WEBHOOKS}). */
    static List<WebhookEvent> all(SandboxConfig config, Kind kind, String resource, ObjectNode record,
            String occurredAt, Writer writer, String changeAgent, List<String> changedFields) {
        if (!config.has(SandboxConfig.Variety.HUBSPOT_WEBHOOKS)) {
            return List.of(of(config, kind, resource, record, occurredAt, writer, changeAgent, changedFields));
        }
        List<WebhookEvent> events = new java.util.ArrayList<>();
        switch (kind) {
            case created -> {
                events.add(hubspot(config, resource + ".creation", record, occurredAt, writer, null));
                changedFields.stream().filter(f -> !record.path(f).isNull())
                        .forEach(f -> events.add(hubspot(config, resource + ".propertyChange", record, occurredAt, writer, f)));
            }
            case updated -> changedFields.forEach(
                    f -> events.add(hubspot(config, resource + ".propertyChange", record, occurredAt, writer, f)));
            case deleted -> events.add(hubspot(config, resource + ".deletion", record, occurredAt, writer, null));
            default -> throw new IllegalStateException("unknown kind " + kind);
        }
        return events;
    }

    /** One HubSpot v3 event object; a property's value as HubSpot sends it, a string ("" when cleared). */
    private static WebhookEvent hubspot(SandboxConfig config, String type, ObjectNode record, String occurredAt,
            Writer writer, String property) {
        long eventId = HUBSPOT_EVENT_IDS.incrementAndGet();
        String recordId = record.path("id").asText();
        ObjectNode body = JSON.createObjectNode();
        body.put("eventId", eventId);
        body.put("subscriptionId", 1);
        body.put("portalId", config.account());
        body.put("appId", 1);
        body.put("occurredAt", java.time.Instant.parse(occurredAt).toEpochMilli());
        body.put("subscriptionType", type);
        body.put("attemptNumber", 0);
        body.put("objectId", recordId);
        if (property != null) {
            body.put("propertyName", property);
            body.put("propertyValue", propertyValue(record.path(property)));
        }
        body.put("changeSource", writer.engine() ? "INTEGRATION" : "CRM_UI");
        body.put("sourceId", writer.engine() ? config.engineClientId() : "userId:" + writer.user());
        return serialized(Long.toString(eventId), type, recordId, body);
    }

    private static String propertyValue(com.fasterxml.jackson.databind.JsonNode value) {
        return value.isNull() || value.isMissingNode() ? "" : value.isValueNode() ? value.asText() : value.toString();
    }

    /**
     * @param record the record after the write, as the API returns it
     * @param changeAgent the write's change-agent header, null when it sent none
     */
    static WebhookEvent of(SandboxConfig config, Kind kind, String resource, ObjectNode record, String occurredAt,
            Writer writer, String changeAgent, List<String> changedFields) {
        String eventId = "evt_" + UUID.randomUUID();
        String type = resource + "." + kind;
        String recordId = record.path("id").asText();
        ObjectNode body = JSON.createObjectNode();
        if (config.payloadFormat() == SandboxConfig.PayloadFormat.APP) {
            appBody(config, type, record, occurredAt, writer, changeAgent, body);
            return serialized(eventId, type, recordId, body);
        }
        body.put("eventId", eventId);
        body.put("type", type);
        body.put("occurredAt", occurredAt);
        body.put("recordId", recordId);
        if (!config.skinny()) {
            body.put("resource", resource);
            body.put("account", config.account());
            actor(config, writer, body);
            if (config.echoChangeAgent() && changeAgent != null) {
                body.put("changeAgent", changeAgent);
            }
            body.set("record", record);
            changedFields.forEach(body.putArray("changedFields")::add);
        }
        return serialized(eventId, type, recordId, body);
    }

    /** The customer app's format (mapping {@code app}); the event id travels in the webhook-id header. */
    private static void appBody(SandboxConfig config, String type, ObjectNode record, String occurredAt, Writer writer,
            String changeAgent, ObjectNode body) {
        body.put("type", type);
        body.put("timestamp", occurredAt);
        body.set("data", record);
        if (config.actorMetadata() != SandboxConfig.ActorMetadata.NONE) {
            ObjectNode actor = body.putObject("actor");
            actor.put("type", writer.engine() ? "integration" : "user");
            actor.put("id", writer.engine() ? config.engineClientId() : writer.user());
        }
        if (config.echoChangeAgent() && changeAgent != null) {
            body.put("changeAgent", changeAgent);
        }
    }

    private static WebhookEvent serialized(String eventId, String type, String recordId, ObjectNode body) {
        try {
            return new WebhookEvent(eventId, type, recordId, JSON.writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    private static void actor(SandboxConfig config, Writer writer, ObjectNode body) {
        switch (config.actorMetadata()) {
            case NONE -> {
            }
            case HUBSPOT_LIKE -> {
                body.put("changeSource", writer.engine() ? "INTEGRATION" : "CRM_UI");
                body.put("sourceId", writer.engine() ? config.engineClientId() : "userId:" + writer.user());
            }
            case SALESFORCE_LIKE -> body.put("changeOrigin", "com/salesforce/api/rest/59.0;client=" + writer.clientId());
            default -> throw new IllegalStateException("unknown actor metadata " + config.actorMetadata());
        }
    }
}
