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
