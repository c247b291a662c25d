package io.loopfree.sync.domain.conflict;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.loopfree.sync.domain.envelope.Envelope;

/**
 * An operator's chosen value for one field of one record ({@code loopfree-ops conflicts resolve}), as a message on
 * the processing queue: the processor applies it like a change that wins as the newest (the canonical value from
 * the operator, at the decision's time), writes it to every system of the connection that differs, and marks the
 * conflicts it settles {@code resolved} in the same transaction. The operations tool decides nothing about sync:
 * it only carries the decision.
 * <p>
 * Recognised by its system {@value #SYSTEM} together with {@code x-loopfree-source: operator}: the ingress forwards
 * only the headers a provider profile selects and knows no such system, so a webhook cannot pose as one.
 *
 * @param conflicts the sort keys of the conflict items it settles (status {@code resolving} under {@code id})
 */
public record ConflictResolution(String tenant, String resource, String canonicalKey, String field, Object value,
        String id, String who, String why, Instant at, List<String> conflicts) {

    public static final String SYSTEM = "loopfree-ops";
    public static final String SOURCE_HEADER = "x-loopfree-source";
    public static final String SOURCE = "operator";

    private static final ObjectMapper JSON = new ObjectMapper();

    public ConflictResolution {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(canonicalKey, "canonicalKey");
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(at, "at");
        conflicts = List.copyOf(conflicts);
    }

    /** The event id of its message: one per decision, so a redelivery is a duplicate. */
    public String eventId() {
        return "resolve-" + id;
    }

    public Envelope envelope() {
        ObjectNode body = JSON.createObjectNode();
        body.put("resource", resource);
        body.put("canonicalKey", canonicalKey);
        body.put("field", field);
        body.set("value", node(value));
        body.put("id", id);
        body.put("who", who);
        body.put("why", why);
        body.put("at", at.toString());
        conflicts.forEach(body.putArray("conflicts")::add);
        try {
            return Envelope.of(SYSTEM, tenant, eventId(), at, Map.of(SOURCE_HEADER, SOURCE),
                    JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The resolution an envelope carries; empty for every other envelope. */
    public static Optional<ConflictResolution> read(Envelope envelope) {
        if (!SYSTEM.equals(envelope.system()) || !SOURCE.equals(envelope.headers().get(SOURCE_HEADER))) {
            return Optional.empty();
        }
        try {
            JsonNode body = JSON.readTree(new String(envelope.rawBody(), StandardCharsets.UTF_8));
            List<String> conflicts = new ArrayList<>();
            body.path("conflicts").forEach(sk -> conflicts.add(sk.asText()));
            return Optional.of(new ConflictResolution(envelope.tenant(), body.path("resource").asText(null),
                    body.path("canonicalKey").asText(null), body.path("field").asText(null), value(body.get("value")),
                    body.path("id").asText(null), body.path("who").asText(null), body.path("why").asText(null),
                    Instant.parse(body.path("at").asText()), conflicts));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("an operator resolution that cannot be read: " + e.getMessage(), e);
        }
    }

    private static JsonNode node(Object value) {
        if (value == null) {
            return JSON.nullNode();
        }
        if (value instanceof Boolean bool) {
            return JSON.getNodeFactory().booleanNode(bool);
        }
        if (value instanceof Number number) {
            return JSON.getNodeFactory().numberNode(new BigDecimal(number.toString()));
        }
        return JSON.getNodeFactory().textNode(value.toString());
    }

    private static Object value(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isNumber()) {
            BigDecimal number = node.decimalValue();
            return number.signum() == 0 ? BigDecimal.ZERO : number.stripTrailingZeros();
        }
        return node.asText();
    }
}
