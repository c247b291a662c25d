package io.loopfree.sync.local.sandbox;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The sandbox's one implementation of its API: the HTTP server and the Java API both call {@link #handle}, so a
 * test that edits "as a human" through Java goes through exactly what {@code curl} would. Every write and every
 * read of the records runs under one lock: writes are totally ordered (their webhooks are submitted in that
 * order) and two upserts of one external id can never both create.
 */
final class SandboxApi {

    static final String USER_HEADER = "X-Sandbox-User";
    static final String IDEMPOTENCY_HEADER = "Idempotency-Key";
    static final String SALESFORCE_CALL_OPTIONS = "Sforce-Call-Options";
    static final int MAX_LIMIT = 100;

    private static final System.Logger LOG = System.getLogger(SandboxApi.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.~-]{1,128}");
    private static final Pattern SALESFORCE_CLIENT = Pattern.compile("(?:^|[;,\\s])client=([^;,\\s]{1,100})");

    private enum Action {
        LIST, CREATE, GET, PATCH, DELETE, UPSERT
    }

    /** What the path and method ask for; id is the record id, or the external id for an upsert. */
    private record Route(Action action, String resource, String id) {
        boolean writes() {
            return action != Action.LIST && action != Action.GET;
        }
    }

    private final SandboxConfig config;
    private final ChronoUnit precision;
    private final RecordStore store;
    private final SandboxAudit audit;
    private final WebhookDispatcher webhooks;

    private final Object writeLock = new Object();
    private final Map<String, SandboxResponse> idempotent = new HashMap<>(); // guarded by writeLock

    private final Object rateLock = new Object();
    private final RateLimitWindow window; // guarded by rateLock
    private int fail429Remaining; // guarded by rateLock
    private int fail429RetryAfter; // guarded by rateLock

    SandboxApi(SandboxConfig config, SandboxAudit audit, WebhookDispatcher webhooks) {
        this.config = config;
        this.precision = config.normalizeValues() ? ChronoUnit.SECONDS : ChronoUnit.MILLIS;
        this.store = new RecordStore(config.idPrefix(), config.externalIdProperty());
        this.audit = audit;
        this.webhooks = webhooks;
        this.window = new RateLimitWindow(config.rateLimitPerWindow(), config.rateLimitWindow());
    }

    /** A test's hook, asked before each request; a response it gives is answered instead (null: handled as usual). */
    private volatile java.util.function.Function<SandboxRequest, SandboxResponse> interceptor;

    void intercept(java.util.function.Function<SandboxRequest, SandboxResponse> interceptor) {
        this.interceptor = interceptor;
    }

    SandboxResponse handle(SandboxRequest request) {
        java.util.function.Function<SandboxRequest, SandboxResponse> hook = interceptor;
        if (hook != null) {
            SandboxResponse instead = hook.apply(request);
            if (instead != null) {
                return instead;
            }
        }
        try {
            if (request.path().startsWith("/_sandbox/")) {
                return sandbox(request);
            }
            if (request.path().startsWith("/api/")) {
                return api(request);
            }
            return SandboxResponse.error(404, "not found: the API is under /api/, controls under /_sandbox/");
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "sandbox " + config.system() + ": " + SafeText.of(e.toString()));
            return SandboxResponse.error(500, "internal error");
        }
    }

    // ---- records, for the Java API

    Optional<ObjectNode> record(String resource, String id) {
        synchronized (writeLock) {
            return store.get(resource, id).map(r -> r.toJson(config.normalizeValues()));
        }
    }

    List<ObjectNode> records(String resource) {
        synchronized (writeLock) {
            return store.listAfter(resource, null, null, Integer.MAX_VALUE).stream()
                    .map(r -> r.toJson(config.normalizeValues())).toList();
        }
    }

    void control(SandboxControl control) {
        if (control.fail429() != null) {
            synchronized (rateLock) {
                fail429Remaining = control.fail429().count();
                fail429RetryAfter = control.fail429().retryAfterSeconds();
            }
        }
        webhooks.control(control);
    }

    void reset() {
        synchronized (writeLock) {
            store.clear();
            audit.clear();
            idempotent.clear();
        }
        synchronized (rateLock) {
            window.reset();
            fail429Remaining = 0;
        }
    }

    // ---- /_sandbox/*

    private SandboxResponse sandbox(SandboxRequest request) {
        String path = request.path();
        String method = request.method();
        if (path.equals("/_sandbox/audit") && method.equals("GET")) {
            Optional<String> recordId = query(request.rawQuery()).getOrDefault("record", List.of()).stream().findFirst();
            SandboxAudit.Snapshot snapshot = audit.snapshot();
            return SandboxResponse.json(200, recordId.map(snapshot::forRecord).orElse(snapshot));
        }
        if (path.equals("/_sandbox/control") && method.equals("POST")) {
            SandboxControl control;
            try {
                control = SandboxControl.parse(JSON.readTree(request.body()));
            } catch (IOException | IllegalArgumentException e) {
                return SandboxResponse.error(400, SafeText.of(e.getMessage()));
            }
            control(control);
            return SandboxResponse.json(200, control);
        }
        if (path.equals("/_sandbox/reset") && method.equals("POST")) {
            reset();
            return SandboxResponse.noContent();
        }
        if (path.equals("/_sandbox/status") && method.equals("GET")) {
            return SandboxResponse.json(200, Map.of("system", config.system(), "pendingWebhooks", webhooks.pending()));
        }
        return SandboxResponse.error(404, "not found: GET /_sandbox/audit, GET /_sandbox/status, "
                + "POST /_sandbox/control, POST /_sandbox/reset");
    }

    // ---- /api/*

    private SandboxResponse api(SandboxRequest request) {
        Optional<Route> parsed = route(request.method(), request.path());
        if (parsed.isEmpty()) {
            return SandboxResponse.error(404, "no such endpoint: see docs/sandbox.md");
        }
        Route route = parsed.get();
        Optional<Writer> writer = writer(request);
        if (writer.isEmpty()) {
            return audited(request, route, null, SandboxResponse.error(401, "unknown bearer token"), "unauthenticated");
        }
        if (writer.get().engine() && route.action() == Action.PATCH
                && config.has(SandboxConfig.Variety.UPDATE_BY_EXTERNAL_ID_ONLY)) {
            return audited(request, route, writer.get(), SandboxResponse.error(405,
                    "this API updates a record only by external id: PUT /api/{resource}/by-external-id/{externalId}"),
                    writer.get().auditName());
        }
        Map<String, String> limitHeaders = new LinkedHashMap<>();
        if (writer.get().engine()) {
            Optional<SandboxResponse> refused = rateLimit(limitHeaders);
            if (refused.isPresent()) {
                return audited(request, route, writer.get(), refused.get(), writer.get().auditName());
            }
        }
        SandboxResponse response;
        synchronized (writeLock) {
            response = route.writes() ? write(request, route, writer.get()) : read(request, route);
        }
        return response.withHeaders(limitHeaders);
    }

    /** Engine requests only. Fills the family's headers; answers a refusal when over the quota or told to fail. */
    private Optional<SandboxResponse> rateLimit(Map<String, String> headers) {
        synchronized (rateLock) {
            Instant now = config.clock().instant();
            if (fail429Remaining > 0) {
                fail429Remaining--;
                if (!window.unlimited()) {
                    headers.putAll(config.rateLimitHeaders().headers(window.peek(now)));
                }
                return Optional.of(tooMany(fail429RetryAfter).withHeaders(headers));
            }
            RateLimitWindow.Decision decision = window.acquire(now);
            if (!window.unlimited()) {
                headers.putAll(config.rateLimitHeaders().headers(decision));
            }
            if (!decision.allowed()) {
                return Optional.of(tooMany(Math.max(1, decision.resetSeconds())).withHeaders(headers));
            }
            return Optional.empty();
        }
    }

    private static SandboxResponse tooMany(long retryAfterSeconds) {
        return SandboxResponse.error(429, "rate limit exceeded")
                .withHeaders(Map.of("Retry-After", Long.toString(retryAfterSeconds)));
    }

    private SandboxResponse read(SandboxRequest request, Route route) {
        if (route.action() == Action.GET) {
            return store.get(route.resource(), route.id())
                    .map(r -> SandboxResponse.json(200, r.toJson(config.normalizeValues())))
                    .orElseGet(() -> SandboxResponse.error(404, "no such record"));
        }
        Map<String, List<String>> query = query(request.rawQuery());
        Instant since = null;
        int limit = MAX_LIMIT;
        ListCursor after = null;
        try {
            String sinceText = first(query, "updated_since");
            since = sinceText == null ? null : OffsetDateTime.parse(sinceText).toInstant();
            String limitText = first(query, "limit");
            limit = limitText == null ? MAX_LIMIT : Integer.parseInt(limitText);
        } catch (DateTimeParseException | NumberFormatException e) {
            return SandboxResponse.error(400, "updated_since must be ISO-8601 with a zone, limit an integer");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            return SandboxResponse.error(400, "limit must be between 1 and " + MAX_LIMIT);
        }
        String cursorText = first(query, "cursor");
        if (cursorText != null) {
            Optional<ListCursor> cursor = ListCursor.decode(cursorText);
            if (cursor.isEmpty()) {
                return SandboxResponse.error(400, "cursor is not one this sandbox issued");
            }
            after = cursor.get();
        }
        List<StoredRecord> page = store.listAfter(route.resource(), since, after, limit + 1);
        ObjectNode body = JSON.createObjectNode();
        ArrayNode results = body.putArray("results");
        page.stream().limit(limit).forEach(r -> results.add(r.toJson(config.normalizeValues())));
        body.put("next", page.size() > limit ? page.get(limit - 1).sortKey().encode() : null);
        return SandboxResponse.json(200, body);
    }

    /** Under the write lock: replays a known idempotency key, otherwise writes, audits and fires the webhook. */
    private SandboxResponse write(SandboxRequest request, Route route, Writer writer) {
        String key = request.header(IDEMPOTENCY_HEADER).filter(k -> !k.isBlank()).orElse(null);
        if (key != null && key.length() > 255) {
            return audited(request, route, writer, SandboxResponse.error(400, "Idempotency-Key is longer than 255"),
                    writer.auditName());
        }
        if (key != null && idempotent.containsKey(key)) {
            SandboxResponse first = idempotent.get(key);
            String recordId = first.json().path("id").asText(route.action() == Action.UPSERT ? null : route.id());
            audit.write(new SandboxAudit.Write(now(), writer.auditName(), request.method(), route.resource(), recordId,
                    List.of(), changeAgent(request), key, first.status(), true, false));
            return first;
        }
        SandboxResponse response = apply(request, route, writer);
        if (key != null) {
            idempotent.put(key, response);
        }
        return response;
    }

    private SandboxResponse apply(SandboxRequest request, Route route, Writer writer) {
        ObjectNode fields = null;
        if (route.action() != Action.DELETE) {
            Optional<ObjectNode> body = bodyObject(request);
            if (body.isEmpty()) {
                return audited(request, route, writer, SandboxResponse.error(400, "the body must be a JSON object"),
                        writer.auditName());
            }
            fields = writable(body.get());
        }
        Instant now = config.clock().instant();
        WebhookEvent.Kind kind;
        StoredRecord result;
        Optional<ObjectNode> before = Optional.empty();
        List<String> written = fields == null ? List.of() : names(fields);
        try {
            switch (route.action()) {
                case CREATE -> {
                    result = store.create(route.resource(), fields, UpdatedAtTicker.next(now, null, precision));
                    kind = WebhookEvent.Kind.created;
                }
                case PATCH, DELETE -> {
                    Optional<StoredRecord> current = store.get(route.resource(), route.id());
                    if (current.isEmpty()) {
                        return audited(request, route, writer, SandboxResponse.error(404, "no such record"),
                                writer.auditName());
                    }
                    before = Optional.of(current.get().fields().deepCopy());
                    Instant at = UpdatedAtTicker.next(now, current.get().updatedAt(), precision);
                    result = route.action() == Action.PATCH ? store.patch(current.get(), fields, at)
                            : store.delete(current.get(), at);
                    kind = route.action() == Action.PATCH ? WebhookEvent.Kind.updated : WebhookEvent.Kind.deleted;
                }
                case UPSERT -> {
                    Optional<StoredRecord> current = store.liveByExternalId(route.resource(), route.id());
                    fields.put(config.externalIdProperty(), route.id());
                    if (current.isPresent()) {
                        before = Optional.of(current.get().fields().deepCopy());
                        result = store.patch(current.get(), fields,
                                UpdatedAtTicker.next(now, current.get().updatedAt(), precision));
                        kind = WebhookEvent.Kind.updated;
                    } else {
                        result = store.create(route.resource(), fields, UpdatedAtTicker.next(now, null, precision));
                        kind = WebhookEvent.Kind.created;
                        written = names(fields);
                    }
                }
                default -> throw new IllegalStateException("not a write: " + route.action());
            }
        } catch (RecordStore.Conflict conflict) {
            return audited(request, route, writer, SandboxResponse.error(conflict.status, conflict.getMessage()),
                    writer.auditName());
        }
        ObjectNode json = result.toJson(config.normalizeValues());
        SandboxResponse response = kind == WebhookEvent.Kind.deleted ? SandboxResponse.noContent()
                : SandboxResponse.json(kind == WebhookEvent.Kind.created ? 201 : 200, json);
        String changeAgent = changeAgent(request);
        audit.write(new SandboxAudit.Write(StoredRecord.format(result.updatedAt(), false), writer.auditName(),
                request.method(), route.resource(), result.id(), written, changeAgent,
                request.header(IDEMPOTENCY_HEADER).orElse(null), response.status(), false,
                kind == WebhookEvent.Kind.deleted || before.map(b -> !b.equals(result.fields())).orElse(true)));
        WebhookEvent.all(config, kind, route.resource(), json, json.path("updated_at").asText(), writer, changeAgent,
                written).forEach(webhooks::submit);
        LOG.log(System.Logger.Level.INFO, "sandbox " + config.system() + ": " + request.method() + " "
                + SafeText.of(route.resource()) + "/" + result.id() + " by " + SafeText.of(writer.auditName())
                + " fields=" + SafeText.of(String.join(",", written)) + " -> " + response.status());
        return response;
    }

    /** Audits a write request that wrote nothing (refused, invalid, unknown record); reads are not audited. */
    private SandboxResponse audited(SandboxRequest request, Route route, Writer writer, SandboxResponse response,
            String by) {
        if (route.writes()) {
            String recordId = route.action() == Action.CREATE || route.action() == Action.UPSERT ? null : route.id();
            audit.write(new SandboxAudit.Write(now(), writer == null ? by : writer.auditName(), request.method(),
                    route.resource(), recordId, List.of(), changeAgent(request),
                    request.header(IDEMPOTENCY_HEADER).orElse(null), response.status(), false, false));
        }
        return response;
    }

    // ---- parsing

    private Optional<Writer> writer(SandboxRequest request) {
        Optional<String> clientOption = request.header(SALESFORCE_CALL_OPTIONS)
                .map(SALESFORCE_CLIENT::matcher).filter(java.util.regex.Matcher::find).map(m -> m.group(1));
        Optional<String> authorization = request.header("Authorization");
        if (authorization.isPresent()) {
            String value = authorization.get().trim();
            boolean bearer = value.regionMatches(true, 0, "Bearer ", 0, 7);
            if (!bearer || !config.isEngineToken(value.substring(7).trim())) {
                return Optional.empty();
            }
            return Optional.of(new Writer(true, null, clientOption.orElse(config.engineClientId())));
        }
        String user = request.header(USER_HEADER).map(String::strip).filter(u -> !u.isEmpty()).orElse("human");
        return Optional.of(new Writer(false, SafeText.of(user), clientOption.orElse("SfdcInternalAPI")));
    }

    private String changeAgent(SandboxRequest request) {
        return request.header(config.changeAgentHeader()).map(SafeText::of).orElse(null);
    }

    /** The fields a client may write, normalized when this provider normalizes; read-only names dropped. */
    private ObjectNode writable(ObjectNode body) {
        ObjectNode fields = JSON.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!StoredRecord.READ_ONLY.contains(field.getKey())) {
                fields.set(field.getKey(), field.getValue());
            }
        }
        return config.normalizeValues() ? ValueNormalizer.normalize(fields) : fields;
    }

    private static List<String> names(ObjectNode fields) {
        List<String> names = new ArrayList<>();
        fields.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Optional<ObjectNode> bodyObject(SandboxRequest request) {
        try {
            JsonNode node = JSON.readTree(request.body());
            return node != null && node.isObject() ? Optional.of((ObjectNode) node) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<Route> route(String method, String path) {
        String[] segments = path.substring("/api/".length()).split("/", -1);
        List<String> decoded = new ArrayList<>();
        for (String segment : segments) {
            try {
                decoded.add(decode(segment));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        if (decoded.isEmpty() || !NAME.matcher(decoded.get(0)).matches()) {
            return Optional.empty();
        }
        String resource = decoded.get(0);
        if (decoded.size() == 1) {
            return switch (method) {
                case "GET" -> Optional.of(new Route(Action.LIST, resource, null));
                case "POST" -> Optional.of(new Route(Action.CREATE, resource, null));
                default -> Optional.empty();
            };
        }
        if (decoded.size() == 2 && NAME.matcher(decoded.get(1)).matches()) {
            return switch (method) {
                case "GET" -> Optional.of(new Route(Action.GET, resource, decoded.get(1)));
                case "PATCH" -> Optional.of(new Route(Action.PATCH, resource, decoded.get(1)));
                case "DELETE" -> Optional.of(new Route(Action.DELETE, resource, decoded.get(1)));
                default -> Optional.empty();
            };
        }
        if (decoded.size() == 3 && decoded.get(1).equals("by-external-id") && method.equals("PUT")
                && !decoded.get(2).isEmpty() && decoded.get(2).length() <= 256) {
            return Optional.of(new Route(Action.UPSERT, resource, decoded.get(2)));
        }
        return Optional.empty();
    }

    private static Map<String, List<String>> query(String rawQuery) {
        Map<String, List<String>> parameters = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return parameters;
        }
        for (String pair : rawQuery.split("&")) {
            String[] kv = pair.split("=", 2);
            try {
                parameters.computeIfAbsent(decode(kv[0]), k -> new ArrayList<>()).add(kv.length > 1 ? decode(kv[1]) : "");
            } catch (IllegalArgumentException malformed) {
                // a malformed pair is ignored, as most servers do
            }
        }
        return parameters;
    }

    /**
     * Percent-decoding that keeps {@code +} literal: timestamps such as {@code 2026-01-01T00:00:00+00:00} are
     * often sent unencoded, and none of our parameters or ids contain spaces.
     */
    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private String now() {
        return StoredRecord.format(config.clock().instant(), false);
    }
}
