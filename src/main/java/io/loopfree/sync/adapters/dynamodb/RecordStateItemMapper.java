package io.loopfree.sync.adapters.dynamodb;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.loopfree.sync.domain.change.CanonicalJson;
import io.loopfree.sync.domain.change.FieldSet;
import io.loopfree.sync.domain.state.CanonicalFields;
import io.loopfree.sync.domain.state.FieldOrigin;
import io.loopfree.sync.domain.state.RecordKey;
import io.loopfree.sync.domain.state.RecordState;
import io.loopfree.sync.domain.state.SystemState;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * One record's sync state (state table, never expires): one item per record, a map per system, fields as
 * attributes — so that one conditional write applies a change and the console shows the record at a glance:
 * <pre>
 * pk=RECORD#acme#contact#app:c_42  sk=STATE  type=SYNC_STATE  tenant=acme  resource=contact  canonicalKey=app:c_42
 * version=3  createdAt=…  updatedAt=…  lastSystem=hubspot  origin=app  deleted=false  [writing={event=app#acme#msg_2Kp, until=…}]
 * canonical={ fields={email=ada@example.com, firstName=Ada, lastName=Lovelace},
 *             origins={email={system=app, occurredAt=…, syncedAt=…, actor=human}, …} }
 * systems={ app: { recordId=c_42, account=acme, fields={email=ada@example.com, name=Ada Lovelace, plan=pro},
 *                  fieldHash=9f2c…, occurredAt=…, fieldTimes={email=…}, actorKind=human, actorId=u_7,
 *                  eventId=msg_2Kp, correlationId=app:msg_2Kp, direction=inbound, syncedAt=…, deleted=false,
 *                  fetchRequired=false },
 *           hubspot: { …, direction=outbound, actorId=sync_engine } }
 * </pre>
 */
final class RecordStateItemMapper {

    static final String PK = "pk";
    static final String SK = "sk";
    static final String SK_STATE = "STATE";
    static final String VERSION = "version";
    static final String SYSTEMS = "systems";
    /** Set by an apply that sends writes, removed by its completion: the record's other changes wait for it. */
    static final String WRITING = "writing";
    /** Optimistic concurrency: write only over the version that was read (none for a new record). */
    static final String AT_VERSION = "#version = :expected";
    static final String NEW_RECORD = "attribute_not_exists(#pk)";

    private RecordStateItemMapper() {
    }

    static Map<String, AttributeValue> key(RecordKey key) {
        return Map.of(PK, AttributeValue.fromS(key.asItemKey()), SK, AttributeValue.fromS(SK_STATE));
    }

    /**
     * The claim every sender of a record's pending writes takes before it sends them (an apply takes it in its own
     * transaction): {@code writing={event=<sender>, until=…}} over the version read, unless another sender's mark
     * still holds (the sender's own mark, left by a dead delivery of the same event, is taken over). The version
     * moves on, so an apply decided on the version before fails its condition, reads again and waits for these
     * writes; and the pending writes read with that version are the ones to send.
     */
    static UpdateItemRequest markWriting(String table, RecordKey key, long version, String sender, Instant until,
            Instant now) {
        return UpdateItemRequest.builder().tableName(table).key(key(key))
                .updateExpression("SET #writing = :writing, #updatedAt = :now ADD #version :one")
                .conditionExpression(AT_VERSION
                        + " AND (attribute_not_exists(#writing) OR #writing.#until <= :now OR #writing.#event = :sender)")
                .expressionAttributeNames(Map.of("#writing", WRITING, "#updatedAt", "updatedAt", "#version", VERSION,
                        "#until", "until", "#event", "event"))
                .expressionAttributeValues(Map.of(
                        ":writing", AttributeValue.fromM(Map.of("event", s(sender), "until",
                                s(IsoTimestamps.format(until)))),
                        ":now", s(IsoTimestamps.format(now)),
                        ":one", AttributeValue.fromN("1"),
                        ":expected", AttributeValue.fromN(Long.toString(version)),
                        ":sender", s(sender)))
                .build();
    }

    static Map<String, AttributeValue> toItem(RecordState state, String lastSystem, Instant now) {
        Map<String, AttributeValue> item = new HashMap<>(key(state.key()));
        item.put("type", s("SYNC_STATE"));
        item.put("tenant", s(state.key().tenant()));
        item.put("resource", s(state.key().resource()));
        item.put("canonicalKey", s(state.key().canonicalKey()));
        item.put(VERSION, AttributeValue.fromN(Long.toString(state.version())));
        item.put("createdAt", s(IsoTimestamps.format(state.createdAt() == null ? now : state.createdAt())));
        item.put("updatedAt", s(IsoTimestamps.format(now)));
        item.put("lastSystem", s(lastSystem));
        if (state.origin() != null) {
            item.put("origin", s(state.origin()));
        }
        item.put("deleted", AttributeValue.fromBool(state.deleted()));
        if (state.writing() != null) {
            item.put(WRITING, AttributeValue.fromM(Map.of("event", s(state.writing().event()),
                    "until", s(IsoTimestamps.format(state.writing().until())))));
        }
        item.put("canonical", canonical(state.canonical()));
        Map<String, AttributeValue> systems = new LinkedHashMap<>();
        state.systems().forEach((system, systemState) -> systems.put(system, AttributeValue.fromM(system(systemState))));
        item.put(SYSTEMS, AttributeValue.fromM(systems));
        return item;
    }

    private static AttributeValue canonical(CanonicalFields canonical) {
        Map<String, AttributeValue> fields = new LinkedHashMap<>();
        canonical.values().forEach((name, value) -> fields.put(name, value(value)));
        Map<String, AttributeValue> origins = new LinkedHashMap<>();
        canonical.origins().forEach((name, origin) -> origins.put(name, AttributeValue.fromM(Map.of(
                "system", s(origin.system()),
                "occurredAt", s(IsoTimestamps.format(origin.occurredAt())),
                "syncedAt", s(IsoTimestamps.format(origin.syncedAt())),
                "actor", s(origin.actor().name())))));
        return AttributeValue.fromM(Map.of("fields", AttributeValue.fromM(fields), "origins", AttributeValue.fromM(origins)));
    }

    private static CanonicalFields canonical(AttributeValue stored) {
        if (stored == null || !stored.hasM()) {
            return CanonicalFields.EMPTY;
        }
        Map<String, Object> values = new TreeMap<>();
        AttributeValue fields = stored.m().get("fields");
        if (fields != null && fields.hasM()) {
            fields.m().forEach((name, value) -> values.put(name, javaValue(value)));
        }
        Map<String, FieldOrigin> origins = new TreeMap<>();
        AttributeValue storedOrigins = stored.m().get("origins");
        if (storedOrigins != null && storedOrigins.hasM()) {
            storedOrigins.m().forEach((name, value) -> origins.put(name, new FieldOrigin(text(value.m(), "system"),
                    IsoTimestamps.parse(text(value.m(), "occurredAt")), IsoTimestamps.parse(text(value.m(), "syncedAt")),
                    io.loopfree.sync.domain.change.Actor.Kind.parse(text(value.m(), "actor")))));
        }
        return new CanonicalFields(values, origins);
    }

    /** One system's entry, as stored under {@code systems.<system>}. */
    static AttributeValue systemValue(SystemState state) {
        return AttributeValue.fromM(system(state));
    }

    private static Map<String, AttributeValue> system(SystemState state) {
        Map<String, AttributeValue> map = new LinkedHashMap<>();
        putIfPresent(map, "recordId", state.recordId());
        map.put("account", s(state.account()));
        Map<String, AttributeValue> fields = new LinkedHashMap<>();
        state.fields().values().forEach((name, value) -> fields.put(name, value(value)));
        map.put("fields", AttributeValue.fromM(fields));
        map.put("fieldHash", s(state.fieldHash()));
        map.put("occurredAt", s(IsoTimestamps.format(state.occurredAt())));
        Map<String, AttributeValue> times = new LinkedHashMap<>();
        state.fieldTimes().forEach((name, time) -> times.put(name, s(IsoTimestamps.format(time))));
        map.put("fieldTimes", AttributeValue.fromM(times));
        map.put("actorKind", s(state.actorKind()));
        putIfPresent(map, "actorId", state.actorId());
        putIfPresent(map, "changeAgent", state.changeAgent());
        putIfPresent(map, "eventId", state.eventId());
        putIfPresent(map, "correlationId", state.correlationId());
        map.put("direction", s(state.direction()));
        map.put("syncedAt", s(IsoTimestamps.format(state.syncedAt())));
        map.put("deleted", AttributeValue.fromBool(state.deleted()));
        map.put("fetchRequired", AttributeValue.fromBool(state.fetchRequired()));
        return map;
    }

    static RecordState fromItem(RecordKey key, Map<String, AttributeValue> item) {
        if (item == null || !item.containsKey(PK)) {
            return RecordState.absent(key);
        }
        Map<String, SystemState> systems = new TreeMap<>();
        AttributeValue stored = item.get(SYSTEMS);
        if (stored != null && stored.hasM()) {
            stored.m().forEach((system, value) -> systems.put(system, systemState(value.m())));
        }
        return new RecordState(key, Long.parseLong(item.get(VERSION).n()),
                item.containsKey("createdAt") ? IsoTimestamps.parse(item.get("createdAt").s()) : null,
                text(item, "origin"), systems, canonical(item.get("canonical")), bool(item, "deleted"),
                writing(item.get(WRITING)));
    }

    private static RecordState.Writing writing(AttributeValue stored) {
        if (stored == null || !stored.hasM()) {
            return null;
        }
        return new RecordState.Writing(text(stored.m(), "event"), IsoTimestamps.parse(text(stored.m(), "until")));
    }

    private static SystemState systemState(Map<String, AttributeValue> map) {
        Map<String, Object> fields = new TreeMap<>();
        AttributeValue stored = map.get("fields");
        if (stored != null && stored.hasM()) {
            stored.m().forEach((name, value) -> fields.put(name, javaValue(value)));
        }
        return new SystemState(
                text(map, "recordId"),
                text(map, "account"),
                FieldSet.of(fields),
                text(map, "fieldHash"),
                IsoTimestamps.parse(text(map, "occurredAt")),
                text(map, "actorKind"),
                text(map, "actorId"),
                text(map, "changeAgent"),
                text(map, "eventId"),
                text(map, "correlationId"),
                text(map, "direction"),
                IsoTimestamps.parse(text(map, "syncedAt")),
                bool(map, "deleted"),
                bool(map, "fetchRequired"),
                fieldTimes(map.get("fieldTimes")));
    }

    private static Map<String, Instant> fieldTimes(AttributeValue stored) {
        Map<String, Instant> times = new TreeMap<>();
        if (stored != null && stored.hasM()) {
            stored.m().forEach((name, value) -> times.put(name, IsoTimestamps.parse(value.s())));
        }
        return times;
    }

    /** Normalized field values as native DynamoDB types: S, N (exact decimal), BOOL, NULL, M, L. */
    static AttributeValue value(Object value) {
        if (value == null) {
            return AttributeValue.fromNul(true);
        }
        if (value instanceof String text) {
            return s(text);
        }
        if (value instanceof Boolean bool) {
            return AttributeValue.fromBool(bool);
        }
        if (value instanceof BigDecimal number) {
            return AttributeValue.fromN(CanonicalJson.write(number));
        }
        if (value instanceof Number number) {
            return AttributeValue.fromN(CanonicalJson.write(new BigDecimal(number.toString())));
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, AttributeValue> m = new LinkedHashMap<>();
            map.forEach((k, v) -> m.put(String.valueOf(k), value(v)));
            return AttributeValue.fromM(m);
        }
        if (value instanceof Collection<?> items) {
            List<AttributeValue> l = new ArrayList<>();
            items.forEach(item -> l.add(value(item)));
            return AttributeValue.fromL(l);
        }
        return s(value.toString());
    }

    static Object javaValue(AttributeValue value) {
        if (Boolean.TRUE.equals(value.nul())) {
            return null;
        }
        if (value.s() != null) {
            return value.s();
        }
        if (value.n() != null) {
            BigDecimal number = new BigDecimal(value.n());
            return number.signum() == 0 ? BigDecimal.ZERO : number.stripTrailingZeros();
        }
        if (value.bool() != null) {
            return value.bool();
        }
        if (value.hasM()) {
            Map<String, Object> map = new TreeMap<>();
            value.m().forEach((k, v) -> map.put(k, javaValue(v)));
            return map;
        }
        if (value.hasL()) {
            List<Object> list = new ArrayList<>();
            value.l().forEach(v -> list.add(javaValue(v)));
            return list;
        }
        return null;
    }

    private static void putIfPresent(Map<String, AttributeValue> map, String name, String value) {
        if (value != null) {
            map.put(name, s(value));
        }
    }

    private static String text(Map<String, AttributeValue> map, String name) {
        AttributeValue value = map.get(name);
        return value == null ? null : value.s();
    }

    private static boolean bool(Map<String, AttributeValue> map, String name) {
        AttributeValue value = map.get(name);
        return value != null && Boolean.TRUE.equals(value.bool());
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }
}
