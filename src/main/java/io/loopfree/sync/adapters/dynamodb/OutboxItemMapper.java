package io.loopfree.sync.adapters.dynamodb;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import io.loopfree.sync.domain.change.FieldSet;
import io.loopfree.sync.domain.outbound.OutboundTarget;
import io.loopfree.sync.domain.outbound.OutboundWrite;
import io.loopfree.sync.domain.outbound.OutboxKey;
import io.loopfree.sync.domain.outbound.PendingWrite;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A pending outbound write (state table, never expires: it is removed when done):
 * <pre>
 * pk=OUTBOX#acme#sandbox-rich#acct-1  sk=contact#app:c_42  type=OUTBOUND_WRITE  status=pending  attempts=0
 * tenant=acme  system=sandbox-rich  account=acct-1  resource=contact  canonicalKey=app:c_42  externalId=app:c_42
 * recordId=rch_7 (once known)  action=UPSERT  fields={firstname=Ada, email=ada@example.com}  afterHash=9f2c…
 * after={firstname=Ada, lastname=NULL, email=ada@example.com} (the record there once written)
 * idempotencyKey=loopfree-3f0a…  changeAgent=loopfree-sync  correlationId=app:msg_2Kp  recordVersion=3
 * profile=sandbox  credentials=outbound-token  params={baseUrl=http://127.0.0.1:9101}  writeToken=5b0e…
 * createdAt=…  updatedAt=…  lastError=(after a failed attempt)
 * </pre>
 */
final class OutboxItemMapper {

    static final String TOKEN = "writeToken";
    static final String STATUS = "status";
    static final String ATTEMPTS = "attempts";
    static final String LAST_ERROR = "lastError";
    static final String UPDATED_AT = "updatedAt";

    private OutboxItemMapper() {
    }

    static Map<String, AttributeValue> key(OutboxKey key) {
        return Map.of("pk", s(key.partitionKey()), "sk", s(key.sortKey()));
    }

    static Map<String, AttributeValue> toItem(PendingWrite pending) {
        OutboundWrite write = pending.write();
        OutboundTarget target = write.target();
        Map<String, AttributeValue> item = new HashMap<>(key(pending.key()));
        item.put("type", s("OUTBOUND_WRITE"));
        item.put(STATUS, s(pending.status().name()));
        item.put(ATTEMPTS, AttributeValue.fromN(Integer.toString(pending.attempts())));
        item.put("tenant", s(target.tenant()));
        item.put("system", s(target.system()));
        item.put("account", s(target.account()));
        item.put("resource", s(write.resource()));
        item.put("canonicalKey", s(write.canonicalKey()));
        item.put("externalId", s(write.externalId()));
        if (write.recordId() != null) {
            item.put("recordId", s(write.recordId()));
        }
        item.put("action", s(write.action().name()));
        Map<String, AttributeValue> fields = new LinkedHashMap<>();
        write.fields().forEach((name, value) -> fields.put(name, RecordStateItemMapper.value(value)));
        item.put("fields", AttributeValue.fromM(fields));
        Map<String, AttributeValue> after = new LinkedHashMap<>();
        pending.after().values().forEach((name, value) -> after.put(name, RecordStateItemMapper.value(value)));
        item.put("after", AttributeValue.fromM(after));
        item.put("afterHash", s(pending.afterHash()));
        item.put("idempotencyKey", s(write.idempotencyKey()));
        if (write.changeAgent() != null) {
            item.put("changeAgent", s(write.changeAgent()));
        }
        if (write.correlationId() != null) {
            item.put("correlationId", s(write.correlationId()));
        }
        item.put("recordVersion", AttributeValue.fromN(Long.toString(pending.recordVersion())));
        item.put("profile", s(target.profile()));
        item.put("credentials", s(target.credentialsPurpose()));
        Map<String, AttributeValue> params = new LinkedHashMap<>();
        target.params().forEach((name, value) -> params.put(name, s(value)));
        item.put("params", AttributeValue.fromM(params));
        item.put(TOKEN, s(pending.token()));
        item.put("createdAt", s(IsoTimestamps.format(pending.createdAt())));
        item.put(UPDATED_AT, s(IsoTimestamps.format(pending.updatedAt())));
        if (pending.lastError() != null) {
            item.put(LAST_ERROR, s(pending.lastError()));
        }
        return item;
    }

    static PendingWrite fromItem(Map<String, AttributeValue> item) {
        Map<String, String> params = new TreeMap<>();
        AttributeValue storedParams = item.get("params");
        if (storedParams != null && storedParams.hasM()) {
            storedParams.m().forEach((name, value) -> params.put(name, value.s()));
        }
        OutboundTarget target = new OutboundTarget(text(item, "tenant"), text(item, "system"), text(item, "account"),
                text(item, "profile"), text(item, "credentials"), params);
        Map<String, Object> fields = new TreeMap<>();
        AttributeValue storedFields = item.get("fields");
        if (storedFields != null && storedFields.hasM()) {
            storedFields.m().forEach((name, value) -> fields.put(name, RecordStateItemMapper.javaValue(value)));
        }
        OutboundWrite write = new OutboundWrite(target, text(item, "resource"), text(item, "canonicalKey"),
                text(item, "externalId"), text(item, "recordId"), OutboundWrite.Action.valueOf(text(item, "action")),
                fields, text(item, "idempotencyKey"), text(item, "changeAgent"), text(item, "correlationId"));
        OutboxKey key = new OutboxKey(target.tenant(), target.system(), target.account(), write.resource(),
                write.canonicalKey());
        Map<String, Object> after = new TreeMap<>();
        AttributeValue storedAfter = item.get("after");
        if (storedAfter != null && storedAfter.hasM()) {
            storedAfter.m().forEach((name, value) -> after.put(name, RecordStateItemMapper.javaValue(value)));
        }
        return new PendingWrite(key, write, FieldSet.of(after), text(item, TOKEN),
                PendingWrite.Status.parse(text(item, STATUS)), Integer.parseInt(item.get(ATTEMPTS).n()),
                text(item, LAST_ERROR), IsoTimestamps.parse(text(item, "createdAt")),
                IsoTimestamps.parse(text(item, UPDATED_AT)), Long.parseLong(item.get("recordVersion").n()));
    }

    static boolean isOutbox(Map<String, AttributeValue> item) {
        return item != null && "OUTBOUND_WRITE".equals(text(item, "type"));
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

}
