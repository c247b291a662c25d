package io.loopfree.sync.looptest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.dashjoin.jsonata.Jsonata;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.loopfree.sync.adapters.json.JsonValues;
import io.loopfree.sync.domain.outbound.OutboundProfile;
import io.loopfree.sync.domain.outbound.Template;
import io.loopfree.sync.local.sandbox.SandboxConfig;
import io.loopfree.sync.local.sandbox.SandboxProvider;
import io.loopfree.sync.local.sandbox.SandboxRequest;
import io.loopfree.sync.local.sandbox.SandboxResponse;

/**
 * A sandbox dressed as a provider: an HTTP front that answers the requests an outbound profile sends (matched by
 * the profile's own methods and path templates), translates them into the sandbox's API as the engine's writes
 * (fields, change agent, idempotency key read with the behaviour's JSONata), answers in the provider's shape, and
 * turns the sandbox's webhooks into the provider's. The sandbox underneath supplies the behaviours it already has:
 * actor metadata, tag echoed or stripped, normalized values, skinny events, its audit.
 */
final class ProviderEmulator implements AutoCloseable {

    static final String ENGINE_TOKEN = "engine-token";
    static final String ACCOUNT = "loop-test";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One engine request the front answered: what the provider saw. */
    record Seen(String operation, String method, String path, int status, Optional<String> changeAgent,
            Optional<String> idempotencyKey) {
    }

    private record Route(OutboundProfile.Operation operation, OutboundProfile.RequestSpec spec, Pattern path,
            List<String> variables, int literalLength) {
    }

    private final ProviderBehaviour behaviour;
    private final OutboundProfile profile;
    private final SandboxProvider sandbox;
    private final String org;
    private final HttpServer front;
    private final List<Route> routes = new ArrayList<>();
    private final Map<String, Jsonata> compiled = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Object>> lastWriteByRecord = new ConcurrentHashMap<>();
    private final List<Seen> seen = java.util.Collections.synchronizedList(new ArrayList<>());

    /**
     * @param webhookUrl where the sandbox sends its own webhooks (the loop test's receiver), null for a listing-only
     *                   system
     * @param idPrefix   record ids {@code <idPrefix>_<n>}, unique per run
     */
    ProviderEmulator(ProviderBehaviour behaviour, OutboundProfile profile, String tenant, String webhookUrl,
            String idPrefix) {
        this.behaviour = behaviour;
        this.profile = profile;
        this.org = orgId(tenant);
        profile.requests().forEach((operation, spec) -> routes.add(route(operation, spec)));
        routes.sort(Comparator.comparingInt(Route::literalLength).reversed());
        // compiled now: a descriptor with a broken expression fails before anything starts
        behaviour.rewrite().ifPresent(this::expression);
        behaviour.changeAgent().ifPresent(this::expression);
        behaviour.idempotencyKey().ifPresent(this::expression);
        behaviour.webhookBody().ifPresent(this::expression);
        behaviour.requests().values().forEach(r -> {
            r.fields().ifPresent(this::expression);
            r.externalId().ifPresent(this::expression);
            r.recordId().ifPresent(this::expression);
            r.response().ifPresent(this::expression);
        });
        SandboxConfig config = SandboxConfig.of(behaviour.system(), tenant).withAccount(ACCOUNT)
                .withWebhookUrl(webhookUrl).withActorMetadata(behaviour.actor())
                .withEchoChangeAgent(behaviour.echoChangeAgent()).withNormalizeValues(behaviour.normalizeValues())
                .withSkinny(behaviour.skinny()).withEngineToken(ENGINE_TOKEN)
                .withEngineClientId(behaviour.identity().orElse("loopfree-sync"))
                .withExternalIdProperty(profile.externalIdProperty()).withIdPrefix(idPrefix);
        this.sandbox = SandboxProvider.start(config);
        try {
            front = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            sandbox.close();
            throw new UncheckedIOException(e);
        }
        front.createContext("/", this::serve);
        front.start();
    }

    /**
     * A Salesforce-shaped org id of the tenant's provider account (18 characters), for a relayed delivery's partner
     * event source ({@code webhook.body} reads it as {@code org}); the deployment maps it to the tenant.
     */
    static String orgId(String tenant) {
        String hash = Integer.toUnsignedString(tenant.hashCode(), 36).toUpperCase(java.util.Locale.ROOT);
        return "00D" + "0".repeat(12 - hash.length()) + hash + "AAA";
    }

    /** The base URL the connection's target points at (params.baseUrl). */
    String baseUrl() {
        return "http://127.0.0.1:" + front.getAddress().getPort();
    }

    SandboxProvider sandbox() {
        return sandbox;
    }

    List<Seen> seen() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    /** The provider's webhook body for one of the sandbox's webhooks (the behaviour's {@code webhook.body}). */
    byte[] webhookBody(byte[] sandboxWebhook) {
        Map<String, Object> input = plainObject(sandboxWebhook);
        Object recordId = input.get("recordId");
        Map<String, Object> write = recordId == null ? null : lastWriteByRecord.remove(String.valueOf(recordId));
        input.put("write", write == null ? Map.of() : write);
        input.put("org", org);
        Object body = evaluate(behaviour.webhookBody().orElseThrow(), input, "webhook.body");
        if (body == null) {
            throw new IllegalArgumentException("behaviour " + behaviour.source() + ": webhook.body yielded nothing for "
                    + "a sandbox webhook of type " + input.get("type"));
        }
        return JsonValues.write(body).getBytes(StandardCharsets.UTF_8);
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            int status;
            byte[] answer;
            try {
                SandboxResponse response = handle(exchange.getRequestMethod(), exchange.getRequestURI(),
                        headers(exchange), body);
                status = response.status();
                answer = response.body();
            } catch (RuntimeException e) {
                // the behaviour cannot read the profile's request: answered as a provider would refuse it
                status = 400;
                answer = JSON.writeValueAsBytes(Map.of("error", "loop-test emulator: " + e.getMessage()));
                seen.add(new Seen("?", exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), status,
                        Optional.empty(), Optional.empty()));
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                exchange.getResponseBody().write(answer);
            }
        }
    }

    private SandboxResponse handle(String method, URI uri, Map<String, String> headers, byte[] body) {
        Route found = null;
        Map<String, Object> pathParams = new LinkedHashMap<>();
        for (Route candidate : routes) {
            Matcher m = candidate.path().matcher(uri.getRawPath());
            if (candidate.spec().method().equalsIgnoreCase(method) && m.matches()) {
                found = candidate;
                for (int i = 0; i < candidate.variables().size(); i++) {
                    pathParams.put(candidate.variables().get(i), URLDecoder.decode(m.group(i + 1), StandardCharsets.UTF_8));
                }
                break;
            }
        }
        final Route route = found;
        if (route == null) {
            throw new IllegalArgumentException("no request of profile " + profile.name() + " matches " + method + " "
                    + uri.getRawPath());
        }
        String operation = route.operation().key();
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("method", method);
        request.put("path", uri.getRawPath());
        request.put("pathParams", pathParams);
        request.put("query", query(uri.getRawQuery()));
        request.put("headers", new LinkedHashMap<>(headers));
        request.put("body", parseBody(headers.getOrDefault("content-type", ""), body));
        Optional<ProviderBehaviour.RequestBehaviour> rb = Optional.ofNullable(behaviour.requests().get(operation));
        Optional<String> agent = behaviour.changeAgent().map(e -> Optional.ofNullable(text(evaluate(e, request, "changeAgent"))))
                .orElseGet(() -> fromHeaders("changeAgent", route.spec(), headers));
        Optional<String> key = behaviour.idempotencyKey().map(e -> Optional.ofNullable(text(evaluate(e, request, "idempotencyKey"))))
                .orElseGet(() -> fromHeaders("idempotencyKey", route.spec(), headers));
        Map<String, String> engine = new LinkedHashMap<>();
        engine.put("Authorization", "Bearer " + ENGINE_TOKEN);
        engine.put("Content-Type", "application/json");
        agent.ifPresent(a -> engine.put(SandboxConfig.DEFAULT_CHANGE_AGENT_HEADER, a));
        key.ifPresent(k -> engine.put("Idempotency-Key", k));
        Optional.ofNullable(headers.get("sforce-call-options")).ifPresent(v -> engine.put("Sforce-Call-Options", v));
        String base = "/api/" + encode(behaviour.resource());
        SandboxResponse response;
        switch (route.operation()) {
            case UPSERT, CREATE, UPDATE -> {
                Object fields = rb.flatMap(ProviderBehaviour.RequestBehaviour::fields)
                        .map(e -> evaluate(e, request, "requests." + operation + ".fields")).orElse(request.get("body"));
                if (!(fields instanceof Map<?, ?>)) {
                    throw new IllegalArgumentException("requests." + operation + ".fields must yield an object of fields");
                }
                if (behaviour.rewrite().isPresent()) {
                    Object rewritten = evaluate(behaviour.rewrite().get(), fields, "behaviour.rewrite");
                    fields = rewritten instanceof Map<?, ?> ? rewritten : fields;
                }
                byte[] json = JsonValues.write(fields).getBytes(StandardCharsets.UTF_8);
                Optional<String> recordId = value(rb.flatMap(ProviderBehaviour.RequestBehaviour::recordId), request,
                        pathParams, "recordId");
                Optional<String> externalId = value(rb.flatMap(ProviderBehaviour.RequestBehaviour::externalId), request,
                        pathParams, "externalId");
                if (route.operation() == OutboundProfile.Operation.UPDATE && recordId.isPresent()) {
                    response = sandbox.handle(new SandboxRequest("PATCH", base + "/" + encode(recordId.get()), "", engine, json));
                } else if (externalId.isPresent()) {
                    response = sandbox.handle(new SandboxRequest("PUT", base + "/by-external-id/" + encode(externalId.get()),
                            "", engine, json));
                } else {
                    response = sandbox.handle(new SandboxRequest("POST", base, "", engine, json));
                }
                if (response.status() / 100 == 2) {
                    Map<String, Object> write = new LinkedHashMap<>();
                    agent.ifPresent(a -> write.put("changeAgent", a));
                    key.ifPresent(k -> write.put("idempotencyKey", k));
                    lastWriteByRecord.put(response.json().path("id").asText(), write);
                }
            }
            case GET, DELETE -> {
                String recordId = value(rb.flatMap(ProviderBehaviour.RequestBehaviour::recordId), request, pathParams,
                        "recordId").orElseThrow(() -> new IllegalArgumentException(operation + ": no record id"));
                response = sandbox.handle(new SandboxRequest(route.operation() == OutboundProfile.Operation.GET ? "GET"
                        : "DELETE", base + "/" + encode(recordId), "", engine, null));
            }
            case LIST -> response = sandbox.handle(new SandboxRequest("GET", base,
                    "updated_since=1970-01-01T00:00:00Z&limit=100", engine, null));
            default -> throw new IllegalStateException(operation);
        }
        SandboxResponse answer = shape(route, rb, request, response);
        seen.add(new Seen(operation, method, uri.getRawPath(), answer.status(), agent, key));
        return answer;
    }

    /** The sandbox's answer in the provider's shape (the behaviour's {@code response} and {@code status}). */
    private SandboxResponse shape(Route route, Optional<ProviderBehaviour.RequestBehaviour> rb,
            Map<String, Object> request, SandboxResponse response) {
        String operation = route.operation().key();
        if (response.status() / 100 != 2 || rb.flatMap(ProviderBehaviour.RequestBehaviour::response).isEmpty()) {
            return response;
        }
        Map<String, Object> input = new LinkedHashMap<>();
        Object answered = response.body().length == 0 ? null : JsonValues.plain(response.json());
        input.put("status", response.status());
        if (route.operation() == OutboundProfile.Operation.LIST && answered instanceof Map<?, ?> page) {
            input.put("records", page.get("results"));
        } else {
            input.put("record", answered);
        }
        input.put("request", request);
        Object shaped = evaluate(rb.get().response().get(), input, "requests." + operation + ".response");
        int status = rb.get().status() > 0 ? rb.get().status() : response.status();
        return new SandboxResponse(status, Map.of("Content-Type", "application/json"),
                shaped == null ? new byte[0] : JsonValues.write(shaped).getBytes(StandardCharsets.UTF_8));
    }

    private Optional<String> value(Optional<String> expression, Map<String, Object> request, Map<String, Object> pathParams,
            String variable) {
        if (expression.isPresent()) {
            return Optional.ofNullable(text(evaluate(expression.get(), request, variable)));
        }
        return Optional.ofNullable(pathParams.get(variable)).map(String::valueOf);
    }

    /** A value the profile sends in a header template such as {@code client={changeAgent}}, read back. */
    private Optional<String> fromHeaders(String variable, OutboundProfile.RequestSpec spec, Map<String, String> headers) {
        Map<String, Template> templates = new LinkedHashMap<>(profile.headers());
        templates.putAll(spec.headers());
        for (Map.Entry<String, Template> header : templates.entrySet()) {
            if (!header.getValue().variables().contains(variable)) {
                continue;
            }
            String sent = headers.get(header.getKey().toLowerCase(Locale.ROOT));
            if (sent == null) {
                continue;
            }
            Pattern pattern = templatePattern(header.getValue().source(), variable, ".*");
            Matcher m = pattern.matcher(sent);
            if (m.matches()) {
                return Optional.of(m.group(1));
            }
        }
        return Optional.empty();
    }

    private static Route route(OutboundProfile.Operation operation, OutboundProfile.RequestSpec spec) {
        String source = spec.path().source();
        StringBuilder regex = new StringBuilder();
        List<String> variables = new ArrayList<>();
        int literal = 0;
        Matcher m = Pattern.compile("\\{([^}]+)}").matcher(source);
        int at = 0;
        while (m.find()) {
            regex.append(Pattern.quote(source.substring(at, m.start()))).append("([^/]+)");
            literal += m.start() - at;
            variables.add(m.group(1));
            at = m.end();
        }
        regex.append(Pattern.quote(source.substring(at)));
        literal += source.length() - at;
        return new Route(operation, spec, Pattern.compile(regex.toString()), variables, literal);
    }

    /** The template as a pattern: {@code variable} captured, other placeholders anything. */
    private static Pattern templatePattern(String source, String variable, String other) {
        StringBuilder regex = new StringBuilder();
        Matcher m = Pattern.compile("\\{([^}]+)}").matcher(source);
        int at = 0;
        boolean captured = false;
        while (m.find()) {
            regex.append(Pattern.quote(source.substring(at, m.start())));
            if (m.group(1).equals(variable) && !captured) {
                regex.append("(.*)");
                captured = true;
            } else {
                regex.append(other);
            }
            at = m.end();
        }
        regex.append(Pattern.quote(source.substring(at)));
        return Pattern.compile(regex.toString());
    }

    private Jsonata expression(String source) {
        return compiled.computeIfAbsent(source, s -> {
            try {
                return Jsonata.jsonata(s);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("behaviour " + behaviour.source() + ": not JSONata: '" + s + "': "
                        + e.getMessage(), e);
            }
        });
    }

    private Object evaluate(String source, Object input, String where) {
        try {
            return JsonValues.fromJsonata(expression(source).evaluate(input));
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("behaviour " + behaviour.source() + ": " + where + " failed: "
                    + e.getMessage(), e);
        }
    }

    private static String text(Object value) {
        return value == null ? null : String.valueOf(value);
    }

    private static Map<String, String> headers(HttpExchange exchange) {
        Map<String, String> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT),
                String.join(",", values)));
        return headers;
    }

    private static Map<String, Object> query(String raw) {
        Map<String, Object> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            query.put(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return query;
    }

    /** JSON, or a form read back into nested objects ({@code metadata[loopfree_id]=x}: Stripe's convention). */
    private static Object parseBody(String contentType, byte[] body) {
        if (body.length == 0) {
            return null;
        }
        String text = new String(body, StandardCharsets.UTF_8);
        if (contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            Map<String, Object> form = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : query(text).entrySet()) {
                String[] path = e.getKey().replace("]", "").split("\\[");
                Map<String, Object> at = form;
                for (int i = 0; i < path.length - 1; i++) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> next = (Map<String, Object>) at.computeIfAbsent(path[i], k -> new LinkedHashMap<>());
                    at = next;
                }
                String value = (String) e.getValue();
                at.put(path[path.length - 1], value.isEmpty() ? null : value);
            }
            return form;
        }
        try {
            return JsonValues.parse(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("the request body is not JSON: " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> plainObject(byte[] json) {
        try {
            JsonNode node = JSON.readTree(json);
            return new LinkedHashMap<>((Map<String, Object>) JsonValues.plain(node));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() {
        front.stop(0);
        sandbox.close();
    }
}
