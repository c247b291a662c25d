package io.loopfree.sync.adapters.http;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.dashjoin.jsonata.Jsonata;
import com.fasterxml.jackson.databind.JsonNode;

import io.loopfree.sync.domain.outbound.OutboundProfile;
import io.loopfree.sync.domain.outbound.OutboundProfile.Auth;
import io.loopfree.sync.domain.outbound.OutboundProfile.BodyEncoding;
import io.loopfree.sync.domain.outbound.OutboundProfile.Concurrency;
import io.loopfree.sync.domain.outbound.OutboundProfile.ListSpec;
import io.loopfree.sync.domain.outbound.OutboundProfile.NextPage;
import io.loopfree.sync.domain.outbound.OutboundProfile.Operation;
import io.loopfree.sync.domain.outbound.OutboundProfile.RequestSpec;
import io.loopfree.sync.domain.outbound.OutboundProfile.SinceFormat;
import io.loopfree.sync.domain.outbound.Template;

/**
 * Maps an outbound profile document to the domain's {@link OutboundProfile}, strictly: an unknown field, a
 * placeholder a request cannot fill, or an expression that is not JSONata is an error naming the field (a typo must
 * fail at load, not send a wrong request). The format is documented in docs/outbound.md.
 */
public final class OutboundProfileParser {

    private static final Set<String> PROFILE_FIELDS = Set.of("profile", "description", "sources", "baseUrl", "auth",
            "externalIdProperty", "headers", "rateLimitHeaders", "requests", "notes", "concurrency");
    private static final Set<String> REQUEST_FIELDS = Set.of("method", "path", "query", "headers", "body", "encoding",
            "recordId", "updatedAt", "record", "error", "retryable", "list", "notes");
    private static final Set<String> LIST_FIELDS = Set.of("since", "pageSize", "items", "next", "nextPage", "notes");
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

    /** What each request's templates may name, besides {@code params.<name>}. */
    private static final Set<String> WRITE_VARIABLES = Set.of("externalId", "externalIdProperty", "recordId",
            "resource", "changeAgent", "idempotencyKey", "correlationId", "lastSeenUpdatedAt", "lastSeenHttpDate");
    /** When we last saw the record there: a conditional write's precondition (absent for a create: header left out). */
    private static final Set<String> LAST_SEEN_VARIABLES = Set.of("lastSeenUpdatedAt", "lastSeenHttpDate");
    private static final Set<String> GET_VARIABLES = Set.of("externalIdProperty", "recordId", "resource",
            "changeAgent");
    private static final Set<String> LIST_VARIABLES = Set.of("externalIdProperty", "resource", "changeAgent", "since",
            "pageSize", "cursor");

    private OutboundProfileParser() {
    }

    /** @throws IllegalArgumentException naming the field that is wrong */
    public static OutboundProfile parse(String name, JsonNode node) {
        requireObject(node, "profile");
        checkFields(node, PROFILE_FIELDS, "profile");
        String declared = node.path("profile").asText(name);
        if (!declared.equals(name)) {
            throw new IllegalArgumentException("profile '" + declared + "' does not match the file name '" + name + "'");
        }
        Set<String> anyVariable = new java.util.HashSet<>(WRITE_VARIABLES);
        anyVariable.addAll(GET_VARIABLES);
        anyVariable.addAll(LIST_VARIABLES);
        Optional<Template> baseUrl = optionalText(node, "baseUrl")
                .map(text -> template(text, "baseUrl", Set.of()));
        Auth auth = enumValue(Auth.class, node.path("auth").asText(""), "auth");
        List<String> families = strings(node.path("rateLimitHeaders"), "rateLimitHeaders");
        for (String family : families) {
            if (!OutboundProfile.RATE_LIMIT_FAMILIES.contains(family)) {
                throw new IllegalArgumentException("rateLimitHeaders: unknown family '" + family + "' (one of "
                        + OutboundProfile.RATE_LIMIT_FAMILIES + ")");
            }
        }
        JsonNode requestsNode = node.path("requests");
        requireObject(requestsNode, "requests");
        Map<Operation, RequestSpec> requests = new EnumMap<>(Operation.class);
        requestsNode.fields().forEachRemaining(entry -> {
            Operation operation = operation(entry.getKey());
            requests.put(operation, request(operation, entry.getValue()));
        });
        boolean upsert = requests.containsKey(Operation.UPSERT);
        boolean create = requests.containsKey(Operation.CREATE);
        if (upsert == create) {
            throw new IllegalArgumentException("requests: give either \"upsert\" or \"create\" (with \"update\")"
                    + (upsert ? ", not both" : ""));
        }
        if (create && !requests.containsKey(Operation.UPDATE)) {
            throw new IllegalArgumentException("requests: \"create\" and \"update\" go together");
        }
        String externalIdProperty = node.path("externalIdProperty").asText("");
        if (externalIdProperty.isBlank()) {
            throw new IllegalArgumentException("externalIdProperty is required (the field holding our external id)");
        }
        Concurrency concurrency = concurrency(node, requests);
        return new OutboundProfile(name,
                node.path("description").asText(""),
                strings(node.path("sources"), "sources"),
                baseUrl,
                auth,
                externalIdProperty,
                templates(node.path("headers"), "headers", anyVariable),
                families,
                requests,
                strings(node.path("notes"), "notes"),
                concurrency);
    }

    /**
     * {@code conditional}: every request that updates a record we have seen there ({@code update}, and
     * {@code upsert}) sends a header naming {@code {lastSeenUpdatedAt}} or {@code {lastSeenHttpDate}};
     * {@code guard-read}: the profile has a {@code get}. A precondition header in a profile that does not say
     * {@code conditional} would turn a 412 into a rejection: refused too.
     */
    private static Concurrency concurrency(JsonNode node, Map<Operation, RequestSpec> requests) {
        Concurrency concurrency = optionalText(node, "concurrency")
                .map(text -> enumValue(Concurrency.class, text, "concurrency")).orElse(Concurrency.NONE);
        for (Operation operation : List.of(Operation.UPSERT, Operation.UPDATE)) {
            RequestSpec spec = requests.get(operation);
            if (spec == null) {
                continue;
            }
            boolean conditional = spec.headers().values().stream()
                    .anyMatch(t -> t.variables().stream().anyMatch(LAST_SEEN_VARIABLES::contains));
            if (concurrency == Concurrency.CONDITIONAL && !conditional) {
                throw new IllegalArgumentException("concurrency conditional: requests." + operation.key()
                        + ".headers must send a precondition naming {lastSeenUpdatedAt} or {lastSeenHttpDate}"
                        + " (e.g. \"If-Match\": \"\\\"{lastSeenUpdatedAt}\\\"\")");
            }
            if (concurrency != Concurrency.CONDITIONAL && conditional) {
                throw new IllegalArgumentException("requests." + operation.key() + ".headers name {lastSeen…}: set"
                        + " \"concurrency\": \"conditional\" so that a 412 is handled as a newer value there");
            }
        }
        if (concurrency == Concurrency.GUARD_READ && !requests.containsKey(Operation.GET)) {
            throw new IllegalArgumentException("concurrency guard-read needs a get request (the record is read"
                    + " just before each update)");
        }
        return concurrency;
    }

    private static Operation operation(String key) {
        for (Operation operation : Operation.values()) {
            if (operation.key().equals(key)) {
                return operation;
            }
        }
        throw new IllegalArgumentException("requests: unknown request '" + key + "' (upsert, create, update, delete, get, list)");
    }

    private static RequestSpec request(Operation operation, JsonNode node) {
        String where = "requests." + operation.key();
        requireObject(node, where);
        checkFields(node, REQUEST_FIELDS, where);
        Set<String> variables = switch (operation) {
            case UPSERT, CREATE, UPDATE, DELETE -> WRITE_VARIABLES;
            case GET -> GET_VARIABLES;
            case LIST -> LIST_VARIABLES;
        };
        String method = node.path("method").asText("").toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException(where + ".method: '" + node.path("method").asText("")
                    + "' is not one of " + METHODS);
        }
        String path = node.path("path").asText("");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException(where + ".path must start with '/' (it is appended to the base URL)");
        }
        Optional<String> body = expression(node, "body", where);
        if (body.isPresent() && method.equals("GET")) {
            throw new IllegalArgumentException(where + ".body: a GET has no body");
        }
        Optional<ListSpec> list = Optional.empty();
        if (operation == Operation.LIST) {
            list = Optional.of(list(node.path("list"), where + ".list"));
        } else if (node.has("list")) {
            throw new IllegalArgumentException(where + ".list: only the list request has one");
        }
        if ((operation == Operation.GET || operation == Operation.LIST) && node.has("updatedAt")) {
            throw new IllegalArgumentException(where + ".updatedAt: only a write request has one");
        }
        if (operation != Operation.GET && node.has("record")) {
            throw new IllegalArgumentException(where + ".record: only the get request has one");
        }
        JsonNode retryable = node.path("retryable");
        if (!retryable.isMissingNode() && !retryable.isBoolean()) {
            throw new IllegalArgumentException(where + ".retryable must be true or false");
        }
        return new RequestSpec(method,
                template(path, where + ".path", variables),
                templates(node.path("query"), where + ".query", variables),
                templates(node.path("headers"), where + ".headers", variables),
                body,
                optionalText(node, "encoding").map(e -> enumValue(BodyEncoding.class, e, where + ".encoding"))
                        .orElse(BodyEncoding.JSON),
                expression(node, "recordId", where),
                expression(node, "updatedAt", where),
                expression(node, "record", where),
                expression(node, "error", where),
                retryable.asBoolean(true),
                list);
    }

    private static ListSpec list(JsonNode node, String where) {
        requireObject(node, where);
        checkFields(node, LIST_FIELDS, where);
        String since = node.path("since").asText("");
        if (since.isEmpty()) {
            throw new IllegalArgumentException(where + ".since is required (iso-8601, iso-8601-seconds, epoch-millis, epoch-seconds)");
        }
        JsonNode pageSize = node.path("pageSize");
        if (!pageSize.canConvertToInt() || pageSize.asInt() < 1 || pageSize.asInt() > 1000) {
            throw new IllegalArgumentException(where + ".pageSize must be a number from 1 to 1000");
        }
        Optional<String> items = expression(node, "items", where);
        if (items.isEmpty()) {
            throw new IllegalArgumentException(where + ".items is required (JSONata: where the records are)");
        }
        return new ListSpec(enumValue(SinceFormat.class, since, where + ".since"), pageSize.asInt(), items.get(),
                expression(node, "next", where),
                optionalText(node, "nextPage").map(n -> enumValue(NextPage.class, n, where + ".nextPage"))
                        .orElse(NextPage.CURSOR));
    }

    private static Optional<String> expression(JsonNode node, String field, String where) {
        Optional<String> source = optionalText(node, field);
        source.ifPresent(text -> {
            try {
                Jsonata.jsonata(text);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(where + "." + field + " is not valid JSONata (" + e.getMessage()
                        + "): " + text);
            }
        });
        return source;
    }

    private static Map<String, Template> templates(JsonNode node, String where, Set<String> variables) {
        Map<String, Template> result = new LinkedHashMap<>();
        if (node.isMissingNode() || node.isNull()) {
            return result;
        }
        requireObject(node, where);
        node.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) {
                throw new IllegalArgumentException(where + "." + e.getKey() + " must be a string");
            }
            result.put(e.getKey(), template(e.getValue().asText(), where + "." + e.getKey(), variables));
        });
        return result;
    }

    private static Template template(String text, String where, Set<String> variables) {
        Template template;
        try {
            template = Template.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage());
        }
        for (String variable : template.variables()) {
            if (!variable.startsWith("params.") && !variables.contains(variable)) {
                throw new IllegalArgumentException(where + ": unknown placeholder {" + variable + "} (here: "
                        + new java.util.TreeSet<>(variables) + " or params.<name>)");
            }
        }
        return template;
    }

    private static List<String> strings(JsonNode node, String where) {
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException(where + " must be an array of strings");
        }
        List<String> result = new ArrayList<>();
        node.forEach(item -> result.add(item.asText()));
        return result;
    }

    private static Optional<String> optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }

    /** Enum constants written in files as kebab-case: {@code epoch-millis} is {@code EPOCH_MILLIS}. */
    private static <E extends Enum<E>> E enumValue(Class<E> type, String text, String where) {
        String wanted = text.replace('-', '_');
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(wanted)) {
                return constant;
            }
            names.add(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        throw new IllegalArgumentException(where + ": unknown value '" + text + "' (one of " + names + ")");
    }

    private static void requireObject(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(where + " must be a JSON object");
        }
    }

    private static void checkFields(JsonNode node, Set<String> known, String where) {
        node.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) {
                throw new IllegalArgumentException(where + ": unknown field '" + name + "'");
            }
        });
    }
}
