package io.loopfree.sync.adapters.dynamodb;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import io.loopfree.sync.domain.change.Actor;
import io.loopfree.sync.domain.conflict.Conflict;
import io.loopfree.sync.domain.state.RecordKey;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * A conflict (state table, never expires): a person's value that lost to another, kept with both values. Written
 * by the processor in the same transaction as the apply or drop that decided it; resolved by an operator
 * ({@code loopfree-ops conflicts resolve}: {@code open → resolving}, audited) and then by the processor applying
 * the chosen value ({@code resolving → resolved}, in that apply's transaction):
 * <pre>
 * pk=CONFLICT#acme  sk=contact#app:c_42#phone#2026-12-07T02:10:00.120Z#sandbox-rich  type=CONFLICT  status=open
 * tenant=acme  resource=contact  canonicalKey=app:c_42  field=phone  rule=last-write-wins  windowSeconds=60
 * loser={ system=sandbox-rich, value=+1 555 0100, occurredAt=2026-12-07T02:10:00.120Z, actor=human }
 * winner={ system=app, value=+1 555 0199, occurredAt=2026-12-07T02:10:00.480Z, actor=human }
 * detectedAt=…  decidedBy=app:msg_2Kp
 * [resolution={ id=…, value=+1 555 0199, who=ada, why=…, at=… }  resolvedAt=…]
 * </pre>
 * The detection is idempotent: every attribute is set only if absent, so a redelivered or retried decision never
 * changes a kept conflict, nor reopens a resolved one.
 */
public final class ConflictItemMapper {

    public static final String TYPE = "CONFLICT";
    public static final String STATUS = "status";
    public static final String RESOLUTION = "resolution";

    private ConflictItemMapper() {
    }

    public static Map<String, AttributeValue> key(String tenant, String sortKey) {
        return Map.of("pk", AttributeValue.fromS(Conflict.partitionKey(tenant)), "sk", AttributeValue.fromS(sortKey));
    }

    /** The conflict's attributes, as the console shows them. */
    static Map<String, AttributeValue> attributes(Conflict conflict) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put("type", AttributeValue.fromS(TYPE));
        item.put(STATUS, AttributeValue.fromS(Conflict.Status.open.name()));
        item.put("tenant", AttributeValue.fromS(conflict.record().tenant()));
        item.put("resource", AttributeValue.fromS(conflict.record().resource()));
        item.put("canonicalKey", AttributeValue.fromS(conflict.record().canonicalKey()));
        item.put("field", AttributeValue.fromS(conflict.field()));
        item.put("rule", AttributeValue.fromS(conflict.rule()));
        item.put("windowSeconds", AttributeValue.fromN(Long.toString(conflict.window().toSeconds())));
        item.put("loser", side(conflict.loser()));
        item.put("winner", side(conflict.winner()));
        item.put("detectedAt", AttributeValue.fromS(IsoTimestamps.format(conflict.detectedAt())));
        item.put("decidedBy", AttributeValue.fromS(conflict.decidedBy()));
        return item;
    }

    private static AttributeValue side(Conflict.Side side) {
        Map<String, AttributeValue> map = new LinkedHashMap<>();
        map.put("system", AttributeValue.fromS(side.system()));
        map.put("value", RecordStateItemMapper.value(side.value()));
        if (side.occurredAt() != null) {
            map.put("occurredAt", AttributeValue.fromS(IsoTimestamps.format(side.occurredAt())));
        }
        map.put("actor", AttributeValue.fromS(side.actor().name()));
        return AttributeValue.fromM(map);
    }

    /** Keeps a conflict: every attribute set only where absent (idempotent, never reopens a resolved one). */
    static Update kept(String table, Conflict conflict) {
        StringBuilder set = new StringBuilder("SET ");
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        int i = 0;
        for (Map.Entry<String, AttributeValue> attribute : attributes(conflict).entrySet()) {
            String name = "#a" + i;
            String value = ":a" + i;
            set.append(i == 0 ? "" : ", ").append(name).append(" = if_not_exists(").append(name).append(", ")
                    .append(value).append(')');
            names.put(name, attribute.getKey());
            values.put(value, attribute.getValue());
            i++;
        }
        return Update.builder().tableName(table).key(key(conflict.record().tenant(), conflict.sortKey()))
                .updateExpression(set.toString()).expressionAttributeNames(names).expressionAttributeValues(values)
                .build();
    }

    /** An operator's decision, kept on the conflict ({@code resolution}). */
    public record Resolution(String id, Object value, String who, String why, Instant at) {
    }

    /**
     * {@code open → resolving} with the operator's decision (or a decision sent again while still resolving), for
     * the operations tool's audited transaction.
     */
    public static Update resolving(String table, String tenant, String sortKey, Resolution resolution) {
        Map<String, AttributeValue> decision = new LinkedHashMap<>();
        decision.put("id", AttributeValue.fromS(resolution.id()));
        decision.put("value", RecordStateItemMapper.value(resolution.value()));
        decision.put("who", AttributeValue.fromS(resolution.who()));
        decision.put("why", AttributeValue.fromS(resolution.why()));
        decision.put("at", AttributeValue.fromS(IsoTimestamps.format(resolution.at())));
        return Update.builder().tableName(table).key(key(tenant, sortKey))
                .updateExpression("SET #status = :resolving, #resolution = :resolution")
                .conditionExpression("#type = :type AND #status IN (:open, :resolving)")
                .expressionAttributeNames(Map.of("#status", STATUS, "#resolution", RESOLUTION, "#type", "type"))
                .expressionAttributeValues(Map.of(":resolving", AttributeValue.fromS(Conflict.Status.resolving.name()),
                        ":open", AttributeValue.fromS(Conflict.Status.open.name()),
                        ":type", AttributeValue.fromS(TYPE),
                        ":resolution", AttributeValue.fromM(decision)))
                .build();
    }

    /** {@code resolving → resolved}: the chosen value applied (in the apply's transaction). */
    static Update resolved(String table, String tenant, String sortKey, String resolutionId, Instant now) {
        return Update.builder().tableName(table).key(key(tenant, sortKey))
                .updateExpression("SET #status = :resolved, #resolvedAt = :now")
                .conditionExpression("#resolution.#id = :id")
                .expressionAttributeNames(Map.of("#status", STATUS, "#resolvedAt", "resolvedAt",
                        "#resolution", RESOLUTION, "#id", "id"))
                .expressionAttributeValues(Map.of(":resolved", AttributeValue.fromS(Conflict.Status.resolved.name()),
                        ":now", AttributeValue.fromS(IsoTimestamps.format(now)),
                        ":id", AttributeValue.fromS(resolutionId)))
                .build();
    }

    /** A stored conflict read back (the operations tool shows it; the resolution keeps the values' types). */
    public static Conflict fromItem(Map<String, AttributeValue> item) {
        RecordKey record = new RecordKey(text(item, "tenant"), text(item, "resource"), text(item, "canonicalKey"));
        AttributeValue window = item.get("windowSeconds");
        return new Conflict(record, text(item, "field"), side(item.get("loser")), side(item.get("winner")),
                text(item, "rule"), Duration.ofSeconds(window == null ? 0 : Long.parseLong(window.n())),
                parse(text(item, "detectedAt")), text(item, "decidedBy"));
    }

    public static Conflict.Status status(Map<String, AttributeValue> item) {
        return Conflict.Status.valueOf(text(item, STATUS));
    }

    private static Conflict.Side side(AttributeValue stored) {
        Map<String, AttributeValue> map = stored == null || !stored.hasM() ? Map.of() : stored.m();
        AttributeValue value = map.get("value");
        return new Conflict.Side(text(map, "system") == null ? "-" : text(map, "system"),
                value == null ? null : RecordStateItemMapper.javaValue(value), parse(text(map, "occurredAt")),
                Actor.Kind.parse(text(map, "actor")));
    }

    private static Instant parse(String text) {
        return text == null ? null : IsoTimestamps.parse(text);
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }
}
