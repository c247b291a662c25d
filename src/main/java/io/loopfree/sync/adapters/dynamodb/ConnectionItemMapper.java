package io.loopfree.sync.adapters.dynamodb;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.loopfree.sync.domain.connection.Connection;
import io.loopfree.sync.domain.connection.ConnectionSystem;
import io.loopfree.sync.domain.connection.DeletePolicy;
import io.loopfree.sync.domain.connection.FieldDirection;
import io.loopfree.sync.domain.connection.InvalidConnectionException;
import io.loopfree.sync.domain.connection.MatchRule;
import io.loopfree.sync.domain.connection.Ownership;
import io.loopfree.sync.domain.outbound.OutboundTarget;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A connection (state table, never expires), written by hand in the console or seeded from JSON of the same shape:
 * <pre>
 * pk=CONNECTIONS  sk=acme#contact  type=CONNECTION  tenant=acme  resource=contact
 * ownership={ rule=last-write-wins }            (or { rule=object, owner=app } / { rule=record } /
 *                                                   { rule=field, owners={ email=app, phone=sandbox-rich } })
 * onDelete=hold                                  (propagate | hold | ignore)
 * systems=[ { system=app, account=acme, profile=app, credentials=outbound-token,
 *             params={ baseUrl=https://app.example.com/api }, directions={ plan=from_system } }, … ]
 * overrides={ salesforce={ changeAgent=payload.payload.Integration_Source__c } }   (optional, per system)
 * match={ keys=[ email ], winner=app }           (optional: initial matching, docs/reconciler.md)
 * conflictWindow=60s                             (optional, default 60s: people's edits of one field in two systems
 *                                                   this close are kept as a conflict when one loses; s, m or h)
 * </pre>
 */
final class ConnectionItemMapper {

    /** Every connection in one partition: one Query lists them all (the reconciler's jobs), in tenant order. */
    static final String PK_CONNECTIONS = "CONNECTIONS";

    private ConnectionItemMapper() {
    }

    static String sortKey(String tenant, String resource) {
        return tenant + "#" + resource;
    }

    static Map<String, AttributeValue> key(String tenant, String resource) {
        return Map.of("pk", AttributeValue.fromS(PK_CONNECTIONS), "sk", AttributeValue.fromS(sortKey(tenant, resource)));
    }

    /** The stored item for a connection described as plain JSON values (a seed file's entry). */
    static Map<String, AttributeValue> fromJson(Map<String, Object> json) {
        Map<String, AttributeValue> item = new HashMap<>();
        json.forEach((name, value) -> item.put(name, RecordStateItemMapper.value(value)));
        String tenant = text(item, "tenant");
        String resource = text(item, "resource");
        if (tenant == null || resource == null) {
            throw new InvalidConnectionException("a connection needs a tenant and a resource: " + json.keySet());
        }
        item.putAll(key(tenant, resource));
        item.put("type", AttributeValue.fromS("CONNECTION"));
        fromItem(item); // refuse what could not be read back
        return item;
    }

    static Connection fromItem(Map<String, AttributeValue> item) {
        String tenant = text(item, "tenant");
        String resource = text(item, "resource");
        String where = "connection " + tenant + "/" + resource + ": ";
        try {
            List<ConnectionSystem> systems = new ArrayList<>();
            AttributeValue stored = item.get("systems");
            if (stored == null || !stored.hasL() || stored.l().isEmpty()) {
                throw new InvalidConnectionException(where + "systems must be a non-empty list");
            }
            for (AttributeValue value : stored.l()) {
                systems.add(system(tenant, value.m(), where));
            }
            Map<String, Map<String, String>> overrides = new LinkedHashMap<>();
            AttributeValue storedOverrides = item.get("overrides");
            if (storedOverrides != null && storedOverrides.hasM()) {
                storedOverrides.m().forEach((system, expressions) -> {
                    Map<String, String> bySystem = new LinkedHashMap<>();
                    if (expressions.hasM()) {
                        expressions.m().forEach((name, source) -> bySystem.put(name, source.s()));
                    }
                    overrides.put(system, bySystem);
                });
            }
            return new Connection(tenant, resource, systems, ownership(item.get("ownership"), where),
                    DeletePolicy.parse(text(item, "onDelete")), overrides, match(item.get("match"), where),
                    conflictWindow(item.get("conflictWindow"), where));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidConnectionException(where + e.getMessage(), e);
        }
    }

    private static ConnectionSystem system(String tenant, Map<String, AttributeValue> map, String where) {
        String system = text(map, "system");
        if (system == null) {
            throw new InvalidConnectionException(where + "every system needs a 'system' name");
        }
        String account = text(map, "account");
        String profile = text(map, "profile");
        if (account == null || profile == null) {
            throw new InvalidConnectionException(where + "system " + system + " needs an account and an outbound profile");
        }
        Map<String, String> params = new LinkedHashMap<>();
        AttributeValue storedParams = map.get("params");
        if (storedParams != null && storedParams.hasM()) {
            storedParams.m().forEach((name, value) -> params.put(name, value.s() != null ? value.s() : value.n()));
        }
        Map<String, FieldDirection> directions = new LinkedHashMap<>();
        AttributeValue storedDirections = map.get("directions");
        if (storedDirections != null && storedDirections.hasM()) {
            storedDirections.m().forEach((field, value) -> directions.put(field, FieldDirection.parse(value.s())));
        }
        OutboundTarget target = new OutboundTarget(tenant, system, account, profile, text(map, "credentials"), params);
        return new ConnectionSystem(system, account, target, directions);
    }

    /** {@code 60s}, {@code 2m}, {@code 1h}, or a number of seconds; absent: the default. */
    static java.time.Duration conflictWindow(AttributeValue stored, String where) {
        if (stored == null || Boolean.TRUE.equals(stored.nul())) {
            return Connection.DEFAULT_CONFLICT_WINDOW;
        }
        String text = stored.s() != null ? stored.s().strip() : stored.n();
        java.util.regex.Matcher m = text == null ? null
                : java.util.regex.Pattern.compile("(\\d{1,9})([smh]?)").matcher(text);
        if (m == null || !m.matches()) {
            throw new InvalidConnectionException(where + "conflictWindow must be <number>s|m|h (e.g. 60s), not "
                    + stored);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "m" -> java.time.Duration.ofMinutes(n);
            case "h" -> java.time.Duration.ofHours(n);
            default -> java.time.Duration.ofSeconds(n);
        };
    }

    private static MatchRule match(AttributeValue stored, String where) {
        if (stored == null || stored.nul() != null && stored.nul()) {
            return null;
        }
        if (!stored.hasM()) {
            throw new InvalidConnectionException(where + "match must be a map with keys and winner");
        }
        AttributeValue keys = stored.m().get("keys");
        if (keys == null || !keys.hasL()) {
            throw new InvalidConnectionException(where + "match.keys must be a list of one or two unified fields");
        }
        return new MatchRule(keys.l().stream().map(AttributeValue::s).toList(), text(stored.m(), "winner"));
    }

    private static Ownership ownership(AttributeValue stored, String where) {
        if (stored == null || !stored.hasM()) {
            return new Ownership.LastWriteWins();
        }
        Map<String, AttributeValue> map = stored.m();
        String rule = text(map, "rule");
        String key = rule == null ? "last-write-wins" : rule.trim().toLowerCase(Locale.ROOT);
        switch (key) {
            case "object":
                String owner = text(map, "owner");
                if (owner == null) {
                    throw new InvalidConnectionException(where + "ownership rule 'object' needs an owner");
                }
                return new Ownership.ObjectLevel(owner);
            case "record":
                return new Ownership.RecordLevel();
            case "field":
                Map<String, String> owners = new LinkedHashMap<>();
                AttributeValue storedOwners = map.get("owners");
                if (storedOwners != null && storedOwners.hasM()) {
                    storedOwners.m().forEach((field, system) -> owners.put(field, system.s()));
                }
                return new Ownership.FieldLevel(owners);
            case "last-write-wins":
            case "lww":
                return new Ownership.LastWriteWins();
            default:
                throw new InvalidConnectionException(where + "ownership rule '" + rule
                        + "' is not one of object, record, field, last-write-wins");
        }
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }
}
