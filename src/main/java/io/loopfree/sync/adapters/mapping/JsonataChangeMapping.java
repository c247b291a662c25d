package io.loopfree.sync.adapters.mapping;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.dashjoin.jsonata.Jsonata;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.loopfree.sync.domain.change.Actor;
import io.loopfree.sync.domain.change.Change;
import io.loopfree.sync.domain.change.ChangeMapping;
import io.loopfree.sync.domain.change.ChangeTooLargeException;
import io.loopfree.sync.domain.change.FieldSet;
import io.loopfree.sync.domain.change.FieldType;
import io.loopfree.sync.domain.change.MappingException;
import io.loopfree.sync.domain.envelope.Envelope;

/**
 * A provider mapping read from {@code mappings/<system>.json}: JSONata expressions evaluated against
 * <pre>
 * { "payload":  the delivery's body, parsed as JSON,
 *   "headers":  the headers the ingress forwarded (lower-case names),
 *   "envelope": { "system", "tenant", "eventId", "receivedAt" } }
 * </pre>
 * The first rule whose {@code when} holds maps the event; see docs/processor.md for the file format.
 * <p>
 * Evaluation is serialized per mapping: jsonata-java 0.9.8 keeps per-evaluation state in a thread-local shared by
 * all expressions (its issues #90/#93), and a Lambda instance handles one message at a time anyway.
 */
final class JsonataChangeMapping implements ChangeMapping {

    /** The expressions a rule (or the file's defaults) may give. */
    static final List<String> EXPRESSIONS = List.of("eventId", "account", "recordId", "canonicalKey",
            "occurredAt", "actor.kind", "actor.id", "changeAgent", "deleted", "fields");

    record Expression(String source, Jsonata compiled) {
        static Expression compile(String system, String where, String source) {
            try {
                return new Expression(source, Jsonata.jsonata(source));
            } catch (RuntimeException e) {
                throw new MappingException("mapping " + system + ": " + where + " is not valid JSONata ("
                        + e.getMessage() + "): " + source, e);
            }
        }
    }

    record Rule(String name, Expression when, String resource, Map<String, Expression> expressions, boolean skinny,
            boolean partial, Map<String, FieldType> tracked) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String system;
    private final Expression eventType;
    private final Expression ignore;
    private final List<Rule> rules;

    JsonataChangeMapping(String system, Expression eventType, Expression ignore, List<Rule> rules) {
        this.system = system;
        this.eventType = eventType;
        this.ignore = ignore;
        this.rules = List.copyOf(rules);
    }

    @Override
    public String system() {
        return system;
    }

    List<Rule> rules() {
        return rules;
    }

    @Override
    public synchronized Normalized normalize(Envelope envelope) {
        Map<String, Object> input = input(envelope);
        Object type = eventType == null ? null : evaluate("eventType", eventType, input);
        String eventType = type == null || type instanceof Map || type instanceof Collection ? "?" : type.toString();
        if (ignore != null && truthy(evaluate("ignore", ignore, input))) {
            return new Ignored(eventType);
        }
        for (Rule rule : rules) {
            if (truthy(evaluate("rule " + rule.name() + " when", rule.when(), input))) {
                return new Mapped(map(rule, envelope, input));
            }
        }
        throw new MappingException("mapping " + system + ": no rule matches event type '" + eventType + "'");
    }

    private Change map(Rule rule, Envelope envelope, Map<String, Object> input) {
        String recordId = required(rule, "recordId", input);
        String occurredAtText = required(rule, "occurredAt", input);
        Instant occurredAt;
        try {
            occurredAt = FieldType.parseInstant(occurredAtText);
        } catch (IllegalArgumentException e) {
            throw failure(rule, "occurredAt", e.getMessage());
        }
        String eventId = orDefault(text(rule, "eventId", input), envelope.eventId());
        String account = orDefault(text(rule, "account", input), envelope.tenant());
        String canonicalKey = orDefault(text(rule, "canonicalKey", input), system + ":" + recordId);
        Actor actor = new Actor(Actor.Kind.parse(text(rule, "actor.kind", input)), text(rule, "actor.id", input));
        boolean deleted = truthy(value(rule, "deleted", input));
        FieldSet fields = rule.skinny() ? FieldSet.EMPTY : fields(rule, input);
        ChangeTooLargeException.check(system, recordId, fields);
        return new Change(eventId, system, envelope.tenant(), account, rule.resource(), recordId, canonicalKey,
                occurredAt, actor, text(rule, "changeAgent", input), deleted, rule.skinny(), rule.partial(), fields);
    }

    private FieldSet fields(Rule rule, Map<String, Object> input) {
        Object raw = value(rule, "fields", input);
        if (raw != null && !(raw instanceof Map)) {
            throw failure(rule, "fields", "expected an object of field values, got " + describe(raw));
        }
        Map<?, ?> values = raw == null ? Map.of() : (Map<?, ?>) raw;
        Map<String, Object> normalized = new TreeMap<>();
        rule.tracked().forEach((name, type) -> {
            if (values.containsKey(name)) {
                try {
                    normalized.put(name, type.normalize(jsonValue(values.get(name))));
                } catch (IllegalArgumentException e) {
                    throw failure(rule, "fields." + name, e.getMessage());
                }
            } else if (!rule.partial()) {
                normalized.put(name, null); // a complete payload without the field: the field is empty
            }
        });
        return FieldSet.of(normalized);
    }

    private String required(Rule rule, String name, Map<String, Object> input) {
        String value = text(rule, name, input);
        if (value == null || value.isBlank()) {
            throw failure(rule, name, "evaluated to nothing (" + source(rule, name) + ")");
        }
        return value;
    }

    private String text(Rule rule, String name, Map<String, Object> input) {
        Object value = value(rule, name, input);
        if (value == null) {
            return null;
        }
        if (value instanceof String text) {
            return text;
        }
        if (value instanceof Integer || value instanceof Long) {
            return value.toString();
        }
        if (value instanceof Number number) {
            double d = number.doubleValue();
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : number.toString();
        }
        if (value instanceof Boolean bool) {
            return bool.toString();
        }
        throw failure(rule, name, "expected a single value, got " + describe(value));
    }

    private Object value(Rule rule, String name, Map<String, Object> input) {
        Expression expression = rule.expressions().get(name);
        if (expression == null) {
            return null;
        }
        Object value = evaluate("rule " + rule.name() + " " + name, expression, input);
        if (value instanceof List<?> list && !(value instanceof Map)) {
            if (list.isEmpty()) {
                return null;
            }
            if (list.size() == 1 && !"fields".equals(name)) {
                return list.get(0);
            }
        }
        return value == Jsonata.NULL_VALUE ? null : value;
    }

    private Object evaluate(String where, Expression expression, Map<String, Object> input) {
        try {
            return expression.compiled().evaluate(input);
        } catch (RuntimeException e) {
            throw new MappingException("mapping " + system + ": " + where + " failed (" + brief(e.getMessage())
                    + "): " + expression.source(), e);
        }
    }

    /**
     * jsonata-java's type errors quote the whole evaluation input; the log line must name the cause, not carry
     * the payload (personal data, and unbounded length).
     */
    static String brief(String message) {
        if (message == null) {
            return "no message";
        }
        int quoted = message.indexOf("\"{");
        String cut = quoted >= 0 ? message.substring(0, quoted).trim() : message;
        return cut.length() > 160 ? cut.substring(0, 160) + "…" : cut;
    }

    private MappingException failure(Rule rule, String name, String why) {
        return new MappingException("mapping " + system + " rule " + rule.name() + ": " + name + " " + why);
    }

    private static String source(Rule rule, String name) {
        Expression expression = rule.expressions().get(name);
        return expression == null ? "no expression" : expression.source();
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    private static boolean truthy(Object value) {
        if (value instanceof List<?> list) {
            return list.stream().anyMatch(JsonataChangeMapping::truthy);
        }
        return value != null && value != Jsonata.NULL_VALUE && Jsonata.boolize(value);
    }

    /** JSONata's values back into plain JSON values (its null marker becomes null). */
    private static Object jsonValue(Object value) {
        if (value == Jsonata.NULL_VALUE) {
            return null;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), jsonValue(v)));
            return copy;
        }
        if (value instanceof Collection<?> items) {
            List<Object> copy = new ArrayList<>();
            items.forEach(item -> copy.add(jsonValue(item)));
            return copy;
        }
        return value;
    }

    private static String describe(Object value) {
        String text = String.valueOf(value);
        return (value instanceof Map ? "an object " : value instanceof Collection ? "an array " : "")
                + (text.length() > 80 ? text.substring(0, 80) + "…" : text);
    }

    private Map<String, Object> input(Envelope envelope) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("payload", parseBody(envelope));
        Map<String, Object> headers = new LinkedHashMap<>();
        envelope.headers().forEach((name, value) -> headers.put(name.toLowerCase(Locale.ROOT), value));
        input.put("headers", headers);
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("system", envelope.system());
        about.put("tenant", envelope.tenant());
        about.put("eventId", envelope.eventId());
        about.put("receivedAt", FieldType.formatInstant(envelope.receivedAt()));
        input.put("envelope", about);
        return input;
    }

    private Object parseBody(Envelope envelope) {
        try {
            // rawBody() undoes every transport encoding (base64, gzip) the ingress may have applied
            return plain(JSON.readTree(envelope.rawBody()));
        } catch (JsonProcessingException e) {
            throw new MappingException("mapping " + system + ": the body is not JSON (" + e.getOriginalMessage() + ")", e);
        } catch (java.io.IOException e) {
            throw new MappingException("mapping " + system + ": the body could not be read (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Parsed with Jackson rather than jsonata-java's own parser, which reads every number through a double and so
     * corrupts 64-bit ids (Shopify's 18-digit order ids): integers stay Integer/Long here.
     */
    private static Object plain(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.fields().forEachRemaining(e -> map.put(e.getKey(), plain(e.getValue())));
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(item -> list.add(plain(item)));
            return list;
        }
        if (node.isInt() || node.isLong()) {
            return node.numberValue();
        }
        if (node.isBigInteger()) {
            return node.asText(); // beyond 64 bits: kept exact as text (only ever an id)
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        return node.asText();
    }

}
