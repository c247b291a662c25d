package io.loopfree.sync.adapters.mapping;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.dashjoin.jsonata.Jsonata;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.loopfree.sync.adapters.json.JsonValues;
import io.loopfree.sync.domain.change.Actor;
import io.loopfree.sync.domain.change.Change;
import io.loopfree.sync.domain.change.ChangeMapping;
import io.loopfree.sync.domain.change.ChangeTooLargeException;
import io.loopfree.sync.domain.change.FieldMapping;
import io.loopfree.sync.domain.change.FieldSet;
import io.loopfree.sync.domain.change.FieldType;
import io.loopfree.sync.domain.change.MappingException;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.domain.reconcile.ListedEnvelope;

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
            "occurredAt", "actor.kind", "actor.id", "changeAgent", "deleted", "fields", "merged");

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

    /**
     * A resource's field translation (file section {@code resources.<resource>}): {@code toUnified} is evaluated
     * over the system's normalized tracked fields, {@code fromUnified} over the unified fields; {@code fetched}
     * maps a record fetched for a skinny change ({@code fields}, {@code occurredAt}, {@code canonicalKey},
     * {@code deleted}, over {@code { "record": … }}). Absent expressions: the system uses the unified names.
     */
    record ResourceSection(Expression toUnified, Expression fromUnified, Map<String, Expression> fetched) {
    }

    static final List<String> FETCHED = List.of("recordId", "fields", "occurredAt", "canonicalKey", "deleted");

    private static final Expression DEFAULT_RECORD_ID = Expression.compile("-", "default fetched recordId", "record.id");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String system;
    private final Expression eventType;
    private final Expression ignore;
    private final List<Rule> rules;
    private final Map<String, ResourceSection> resources;

    JsonataChangeMapping(String system, Expression eventType, Expression ignore, List<Rule> rules,
            Map<String, ResourceSection> resources) {
        this.system = system;
        this.eventType = eventType;
        this.ignore = ignore;
        this.rules = List.copyOf(rules);
        this.resources = Map.copyOf(resources);
    }

    private final Map<Map<String, String>, JsonataChangeMapping> overridden = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public ChangeMapping withOverrides(Map<String, String> expressions) {
        if (expressions == null || expressions.isEmpty()) {
            return this;
        }
        if (overridden.size() > 1000) {
            overridden.clear(); // bounded: distinct override sets seen by one instance
        }
        return overridden.computeIfAbsent(Map.copyOf(expressions), this::compileOverrides);
    }

    private JsonataChangeMapping compileOverrides(Map<String, String> expressions) {
        Map<String, Expression> compiled = new TreeMap<>();
        expressions.forEach((name, source) -> {
            if (!EXPRESSIONS.contains(name)) {
                throw new MappingException("mapping " + system + ": override of unknown expression '" + name
                        + "' (one of " + EXPRESSIONS + ")");
            }
            compiled.put(name, Expression.compile(system, "override " + name, source));
        });
        List<Rule> replaced = new ArrayList<>();
        for (Rule rule : rules) {
            Map<String, Expression> ruleExpressions = new java.util.HashMap<>(rule.expressions());
            ruleExpressions.putAll(compiled);
            replaced.add(new Rule(rule.name(), rule.when(), rule.resource(), ruleExpressions, rule.skinny(),
                    rule.partial(), rule.tracked()));
        }
        return new JsonataChangeMapping(system, eventType, ignore, replaced, resources);
    }

    /** The resource's tracked fields: those its rules declare (in rule order, the first declaration wins). */
    Map<String, FieldType> tracked(String resource) {
        Map<String, FieldType> tracked = new LinkedHashMap<>();
        rules.stream().filter(rule -> rule.resource().equals(resource))
                .forEach(rule -> rule.tracked().forEach(tracked::putIfAbsent));
        return tracked;
    }

    @Override
    public Optional<FieldMapping> fieldMapping(String resource) {
        Map<String, FieldType> tracked = tracked(resource);
        if (tracked.isEmpty()) {
            return Optional.empty();
        }
        ResourceSection section = resources.get(resource);
        return Optional.of(new Fields(resource, Map.copyOf(tracked),
                section == null ? null : section.toUnified(), section == null ? null : section.fromUnified()));
    }

    /** Translation through the file's expressions; evaluated under the mapping's lock, like normalize. */
    private final class Fields implements FieldMapping {
        private final String resource;
        private final Map<String, FieldType> tracked;
        private final Expression toUnified;
        private final Expression fromUnified;

        Fields(String resource, Map<String, FieldType> tracked, Expression toUnified, Expression fromUnified) {
            this.resource = resource;
            this.tracked = tracked;
            this.toUnified = toUnified;
            this.fromUnified = fromUnified;
        }

        @Override
        public Map<String, FieldType> tracked() {
            return tracked;
        }

        @Override
        public Map<String, Object> toUnified(FieldSet nativeFields) {
            if (toUnified == null) {
                return new TreeMap<>(nativeFields.values());
            }
            return object(resource + " toUnified", toUnified, jsonataInput(nativeFields.values()));
        }

        @Override
        public FieldSet fromUnified(Map<String, Object> unified) {
            Map<String, Object> values = fromUnified == null ? new TreeMap<>(unified)
                    : object(resource + " fromUnified", fromUnified, jsonataInput(unified));
            Map<String, Object> normalized = new TreeMap<>();
            values.forEach((name, value) -> {
                FieldType type = tracked.get(name);
                if (type != null) {
                    try {
                        normalized.put(name, type.normalize(value));
                    } catch (IllegalArgumentException e) {
                        throw new MappingException("mapping " + system + " " + resource + " fromUnified: " + name + " "
                                + e.getMessage());
                    }
                }
            });
            return FieldSet.of(normalized);
        }
    }

    private Map<String, Object> object(String where, Expression expression, Map<String, Object> input) {
        Object value;
        synchronized (this) {
            value = evaluate(where, expression, input);
        }
        value = jsonValue(value);
        if (value == null) {
            return new TreeMap<>();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new MappingException("mapping " + system + ": " + where + " must give an object, got " + describe(value));
        }
        Map<String, Object> result = new TreeMap<>();
        map.forEach((k, v) -> result.put(String.valueOf(k), v));
        return result;
    }

    /** JSON null stays JSON null for JSONata (a cleared field); Java null would read as "absent". */
    private static Map<String, Object> jsonataInput(Map<String, Object> values) {
        Map<String, Object> input = new LinkedHashMap<>();
        values.forEach((name, value) -> input.put(name, value == null ? Jsonata.NULL_VALUE
                : value instanceof java.math.BigDecimal decimal ? jsonataNumber(decimal) : value));
        return input;
    }

    private static Object jsonataNumber(java.math.BigDecimal decimal) {
        try {
            return decimal.longValueExact();
        } catch (ArithmeticException notWhole) {
            return decimal.doubleValue();
        }
    }

    @Override
    public Optional<Change> enrich(Change skinny, Map<String, Object> fetchedRecord) {
        ResourceSection section = resources.get(skinny.resource());
        if (section == null || section.fetched().get("fields") == null) {
            return Optional.empty();
        }
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("record", fetchedRecord);
        Map<String, Object> raw;
        String canonicalKey;
        String occurredAtText;
        Object deleted;
        synchronized (this) {
            raw = object(skinny.resource() + " fetched fields", section.fetched().get("fields"), input);
            canonicalKey = fetchedText(section, "canonicalKey", input);
            occurredAtText = fetchedText(section, "occurredAt", input);
            Expression deletedExpression = section.fetched().get("deleted");
            deleted = deletedExpression == null ? null : evaluate("fetched deleted", deletedExpression, input);
        }
        Map<String, Object> normalized = new TreeMap<>();
        tracked(skinny.resource()).forEach((name, type) -> {
            try {
                normalized.put(name, type.normalize(raw.get(name)));
            } catch (IllegalArgumentException e) {
                throw new MappingException("mapping " + system + " fetched " + skinny.resource() + ": " + name + " "
                        + e.getMessage());
            }
        });
        Instant occurredAt = skinny.occurredAt();
        if (occurredAtText != null && !occurredAtText.isBlank()) {
            try {
                occurredAt = FieldType.parseInstant(occurredAtText);
            } catch (IllegalArgumentException e) {
                throw new MappingException("mapping " + system + " fetched " + skinny.resource() + ": occurredAt "
                        + e.getMessage());
            }
        }
        boolean isDeleted = deleted == null ? skinny.deleted() : truthy(deleted);
        return Optional.of(skinny.withFetched(canonicalKey, occurredAt, isDeleted, FieldSet.of(normalized)));
    }

    private String fetchedText(ResourceSection section, String name, Map<String, Object> input) {
        Expression expression = section.fetched().get(name);
        if (expression == null) {
            return null;
        }
        Object value = jsonValue(evaluate("fetched " + name, expression, input));
        return value == null || value instanceof Map || value instanceof Collection ? null : String.valueOf(value);
    }

    @Override
    public String system() {
        return system;
    }

    List<Rule> rules() {
        return rules;
    }

    @Override
    public Optional<ListedRecord> listed(String resource, Map<String, Object> record) {
        ResourceSection section = resources.get(resource);
        if (section == null || section.fetched().get("fields") == null) {
            return Optional.empty();
        }
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("record", record);
        String recordId;
        String occurredAtText;
        synchronized (this) {
            Expression id = section.fetched().getOrDefault("recordId", DEFAULT_RECORD_ID);
            Object value = jsonValue(evaluate("fetched recordId", id, input));
            recordId = value == null || value instanceof Map || value instanceof Collection ? null : String.valueOf(value);
            occurredAtText = fetchedText(section, "occurredAt", input);
        }
        if (recordId == null || recordId.isBlank() || occurredAtText == null || occurredAtText.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ListedRecord(recordId, FieldType.parseInstant(occurredAtText)));
        } catch (IllegalArgumentException e) {
            throw new MappingException("mapping " + system + " fetched " + resource + ": occurredAt " + e.getMessage());
        }
    }

    /**
     * A record the reconciler listed ({@link ListedEnvelope}): a skinny change of the record the envelope names,
     * made whole with the listed record through the {@code fetched} section, exactly as a fetched record.
     */
    private Normalized listedChange(Envelope envelope, ListedEnvelope.Listed listed) {
        ResourceSection section = resources.get(listed.resource());
        if (section == null || section.fetched().get("fields") == null) {
            throw new MappingException("mapping " + system + ": no resources." + listed.resource()
                    + ".fetched section for a listed record");
        }
        Instant updatedAt;
        try {
            updatedAt = listed.updatedAt() == null ? envelope.receivedAt() : FieldType.parseInstant(listed.updatedAt());
        } catch (IllegalArgumentException e) {
            throw new MappingException("mapping " + system + ": listed record updated-at " + e.getMessage());
        }
        Object body = parseBody(envelope);
        if (!(body instanceof Map<?, ?>)) {
            throw new MappingException("mapping " + system + ": a listed record is not a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> record = (Map<String, Object>) body;
        Change skinny = new Change(envelope.eventId(), system, envelope.tenant(), listed.account(), listed.resource(),
                listed.recordId(), null, updatedAt, Actor.UNKNOWN, null, false, true, false, FieldSet.EMPTY);
        return new Mapped(enrich(skinny, record).orElseThrow());
    }

    @Override
    public synchronized Normalized normalize(Envelope envelope) {
        Optional<ListedEnvelope.Listed> listed;
        try {
            listed = ListedEnvelope.read(envelope);
        } catch (IllegalArgumentException e) {
            throw new MappingException("mapping " + system + ": " + e.getMessage(), e);
        }
        if (listed.isPresent()) {
            return listedChange(envelope, listed.get());
        }
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
        String canonicalKey = text(rule, "canonicalKey", input); // null: resolved through the identity link
        Actor actor = new Actor(Actor.Kind.parse(text(rule, "actor.kind", input)), text(rule, "actor.id", input));
        boolean deleted = truthy(value(rule, "deleted", input));
        FieldSet fields = rule.skinny() ? FieldSet.EMPTY : fields(rule, input);
        ChangeTooLargeException.check(system, recordId, fields);
        return new Change(eventId, system, envelope.tenant(), account, rule.resource(), recordId, canonicalKey,
                occurredAt, actor, text(rule, "changeAgent", input), deleted, rule.skinny(), rule.partial(), fields,
                merged(rule, input));
    }

    /** The ids merged into this record: one id or an array of them (numbers as plain integers). */
    private List<String> merged(Rule rule, Map<String, Object> input) {
        Object value = jsonValue(value(rule, "merged", input));
        if (value == null) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        for (Object id : value instanceof Collection<?> items ? items : List.of(value)) {
            if (id instanceof Map || id instanceof Collection) {
                throw failure(rule, "merged", "expected record ids, got " + describe(id));
            }
            if (id != null) {
                ids.add(id instanceof Double d && d == Math.rint(d) ? Long.toString(d.longValue()) : id.toString());
            }
        }
        return ids;
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
            if (list.size() == 1 && !"fields".equals(name) && !"merged".equals(name)) {
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
        return JsonValues.fromJsonata(value);
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

    /** Parsed with Jackson, integers kept exact: see {@link JsonValues#plain}. */
    private static Object plain(JsonNode node) {
        return JsonValues.plain(node);
    }

}
