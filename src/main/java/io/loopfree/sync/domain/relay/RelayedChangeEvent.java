package io.loopfree.sync.domain.relay;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;

import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.domain.text.Names;
import io.loopfree.sync.domain.text.Untrusted;
import io.loopfree.sync.domain.webhook.EventIds;

/**
 * A Salesforce Change Data Capture event as Salesforce Event Relay puts it on an Amazon EventBridge partner event
 * bus, split into the envelopes the processor already takes: one per record the event names.
 * <pre>
 * { "version": "0", "id": "…", "detail-type": "ContactChangeEvent",
 *   "source": "aws.partner/salesforce.com/&lt;orgId&gt;/&lt;channelId&gt;", "time": "…", "region": "…",
 *   "detail": { "payload": { "ChangeEventHeader": { "entityName", "recordIds", "changeType", "changeOrigin",
 *                                                  "transactionKey", "sequenceNumber", "commitTimestamp", … },
 *                            …the changed fields },
 *               "schemaId": "…", "id": "&lt;EventUuid&gt;" } }
 * </pre>
 * Each envelope's body is the event's {@code detail} exactly as relayed; its headers say which record of the event
 * it stands for ({@value #RECORD_ID_HEADER}) and that it came by the relay ({@value #SOURCE_HEADER}); its event id
 * is the event's own ({@code EventUuid}, else {@code transactionKey:sequenceNumber}) followed by the record id, so
 * every record has its own dedup key and a relayed retry of the same event is a duplicate. The tenant comes from
 * the deployment's configuration of the org id the partner event source names, never from the event's content.
 * <p>
 * Splitting happens here, before the queue (not in the mapping): a change event naming several {@code recordIds}
 * (one transaction changing many records the same way) becomes one message per record, each retried, deduplicated
 * and dead-lettered on its own. An overflow event ({@code GAP_OVERFLOW}) names no record: nothing to enqueue,
 * the reconciler's listing (SOQL on {@code SystemModstamp}) finds the records it stands for.
 */
public final class RelayedChangeEvent {

    public static final String SOURCE_HEADER = "x-loopfree-source";
    public static final String SOURCE = "event-relay";
    public static final String RECORD_ID_HEADER = "x-loopfree-record-id";
    /** The org id the partner event source names (for logs and the mapping's account). */
    public static final String ORG_HEADER = "x-loopfree-org-id";
    public static final String PARTNER_SOURCE_PREFIX = "aws.partner/salesforce.com/";
    public static final String OVERFLOW = "GAP_OVERFLOW";

    /** What became of one relayed event. */
    public sealed interface Split {
    }

    /** One envelope per record, in the order the event names them. */
    public record Envelopes(String orgId, String tenant, String changeType, List<Envelope> envelopes) implements Split {
    }

    /** An overflow event: no record ids, no fields; the reconciler's listing finds its records. */
    public record Overflow(String orgId, String tenant, String entityName) implements Split {
    }

    /** Not a change event we can read (never retried: it cannot get better). */
    public record Refused(String reason) implements Split {
    }

    private RelayedChangeEvent() {
    }

    /**
     * @param event   the EventBridge event
     * @param tenants the tenant configured for an org id, empty when the org is not configured
     * @throws UnknownOrgException when the org id is not configured: a deployment fault, so the invocation fails
     *         and is retried (then kept by the relay's on-failure destination) instead of losing the event
     */
    public static Split split(String system, JsonNode event, Function<String, Optional<String>> tenants,
            Instant receivedAt) {
        if (event == null || !event.isObject()) {
            return new Refused("not an EventBridge event (an object)");
        }
        String source = event.path("source").asText("");
        if (!source.startsWith(PARTNER_SOURCE_PREFIX)) {
            return new Refused("source '" + Untrusted.text(source, 80) + "' is not a Salesforce partner event source");
        }
        String orgId = source.substring(PARTNER_SOURCE_PREFIX.length()).split("/", 2)[0];
        if (!orgId.matches("[0-9A-Za-z]{15,18}")) {
            return new Refused("source '" + Untrusted.text(source, 80) + "' names no org id");
        }
        JsonNode detail = event.path("detail");
        JsonNode header = detail.path("payload").path("ChangeEventHeader");
        if (!header.isObject()) {
            return new Refused("detail.payload.ChangeEventHeader is missing: not a change event");
        }
        String tenant = tenants.apply(orgId).orElseThrow(() -> new UnknownOrgException(orgId));
        if (!Names.isValid(tenant)) {
            throw new UnknownOrgException(orgId);
        }
        String changeType = header.path("changeType").asText("");
        if (OVERFLOW.equals(changeType)) {
            return new Overflow(orgId, tenant, Untrusted.text(header.path("entityName").asText(""), 80));
        }
        Set<String> recordIds = new LinkedHashSet<>();
        for (JsonNode id : header.path("recordIds")) {
            if (id.isTextual() && !id.asText().isBlank()) {
                recordIds.add(id.asText());
            }
        }
        if (recordIds.isEmpty()) {
            return new Refused("a " + Untrusted.text(changeType, 20) + " event without recordIds");
        }
        String eventId = eventId(detail, header);
        if (eventId == null) {
            return new Refused("the event has neither detail.id (EventUuid) nor transactionKey and sequenceNumber");
        }
        byte[] body = detail.toString().getBytes(StandardCharsets.UTF_8);
        List<Envelope> envelopes = new ArrayList<>(recordIds.size());
        for (String recordId : recordIds) {
            String id = eventId + ":" + recordId;
            Optional<String> problem = EventIds.problem(id);
            if (problem.isPresent()) {
                return new Refused(problem.get());
            }
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("content-type", "application/json");
            headers.put(SOURCE_HEADER, SOURCE);
            headers.put(RECORD_ID_HEADER, recordId);
            headers.put(ORG_HEADER, orgId);
            envelopes.add(Envelope.of(system, tenant, id, receivedAt, headers, body));
        }
        return new Envelopes(orgId, tenant, changeType, List.copyOf(envelopes));
    }

    /** The event's own id: Salesforce's EventUuid ({@code detail.id}), else the transaction's key and sequence. */
    private static String eventId(JsonNode detail, JsonNode header) {
        String uuid = detail.path("id").asText("");
        if (!uuid.isBlank()) {
            return uuid;
        }
        String transactionKey = header.path("transactionKey").asText("");
        JsonNode sequence = header.path("sequenceNumber");
        if (transactionKey.isBlank() || !sequence.canConvertToLong()) {
            return null;
        }
        return transactionKey + ":" + sequence.asLong();
    }

    /** The org id of the partner event source is not configured for any tenant. */
    public static final class UnknownOrgException extends RuntimeException {
        public UnknownOrgException(String orgId) {
            super("no tenant is configured for Salesforce org " + Untrusted.text(orgId, 20)
                    + " (sync.relay.tenants: <orgId>=<tenant>)");
        }
    }
}
