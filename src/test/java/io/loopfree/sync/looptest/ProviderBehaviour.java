package io.loopfree.sync.looptest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.loopfree.sync.local.sandbox.SandboxConfig;

/**
 * How a provider behaves, for the loop test (docs/loop-test.md): which system and outbound profile it is, what it
 * reports about a write (actor, our change-agent tag, normalized or rewritten values, skinny or full events), how it
 * reads our requests and answers them, and what its webhook looks like — as JSONata over the sandbox's own
 * request and webhook, so a sandbox can stand in for it. Parsed strictly: an unknown field is an error.
 *
 * @param profile   the outbound profile (a shipped name or the name of the user's file)
 * @param system    the system's name: its ingress profile and mapping
 * @param resource  the unified resource the connection syncs ({@code contact})
 * @param identity  the actor id the provider reports for our writes ({@code sync.identities.<system>}); empty: none
 * @param params    the connection's params for the profile's templates (the base URL is the emulator's)
 * @param actor     which actor metadata its webhooks carry
 * @param echoChangeAgent   whether our change-agent tag comes back in its webhooks
 * @param normalizeValues   whether it normalizes values on write (the sandbox's normalization)
 * @param skinny    whether its webhooks carry ids only (the engine fetches the record)
 * @param rewrite   JSONata over the written fields: values the provider changes on write (empty: none)
 * @param changeAgent    JSONata over the request: the tag our write carried (empty: derived from the profile)
 * @param idempotencyKey JSONata over the request: the write's idempotency key (empty: derived from the profile)
 * @param requests  per outbound operation ({@code upsert}, {@code create}, {@code update}, {@code get},
 *                  {@code list}) how the provider reads the request and what it answers
 * @param delivery  {@code webhook}, or {@code listing}: a polling-only system, its changes come back through the
 *                  reconciler's listing
 * @param webhookBody   JSONata over the sandbox's webhook (docs/sandbox.md) + {@code write}: the provider's body
 * @param webhookSecret the secret the provider signs webhooks with (a test value)
 * @param source    where it was read from, for messages
 */
public record ProviderBehaviour(
        String profile,
        String system,
        String resource,
        Optional<String> identity,
        Map<String, String> params,
        SandboxConfig.ActorMetadata actor,
        boolean echoChangeAgent,
        boolean normalizeValues,
        boolean skinny,
        Optional<String> rewrite,
        Optional<String> changeAgent,
        Optional<String> idempotencyKey,
        Map<String, RequestBehaviour> requests,
        Delivery delivery,
        Optional<String> webhookBody,
        String webhookSecret,
        String source) {

    /** How the provider reads one kind of request and answers it; every expression is JSONata. */
    public record RequestBehaviour(Optional<String> fields, Optional<String> externalId, Optional<String> recordId,
            Optional<String> response, int status) {
    }

    public enum Delivery {
        /** signed webhooks through the ingress */
        WEBHOOK,
        /** polling-only: the reconciler's listing through the profile's {@code list} */
        LISTING,
        /** events on an Amazon EventBridge bus (Salesforce Event Relay): {@code webhook.body} is the EventBridge event, handed to the relay function */
        RELAY
    }

    /** The default webhook secret: a whsec_ value (Standard Webhooks), usable as text by the other schemes. */
    public static final String DEFAULT_SECRET = "whsec_bG9vcC10ZXN0LXdlYmhvb2stc2VjcmV0";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("profile", "system", "resource", "identity", "params",
            "behaviour", "changeAgent", "idempotencyKey", "requests", "delivery", "webhook", "description", "notes");
    private static final Set<String> BEHAVIOUR_FIELDS = Set.of("actor", "echoChangeAgent", "normalizeValues", "skinny",
            "rewrite");
    private static final Set<String> REQUEST_FIELDS = Set.of("fields", "externalId", "recordId", "response", "status");
    private static final Set<String> OPERATIONS = Set.of("upsert", "create", "update", "get", "list", "delete");
    private static final Set<String> WEBHOOK_FIELDS = Set.of("body", "secret");

    /** A shipped descriptor, {@code loop-test/behaviours/<profile>.json} on the test classpath. */
    public static Optional<ProviderBehaviour> shipped(String profile) {
        String resource = "loop-test/behaviours/" + profile + ".json";
        try (InputStream in = ProviderBehaviour.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            return Optional.of(parse(JSON.readTree(in), "classpath:" + resource));
        } catch (IOException e) {
            throw new IllegalArgumentException("behaviour classpath:" + resource + ": not JSON: " + e.getMessage(), e);
        }
    }

    /** The profiles a behaviour is shipped for (the loop test's CI runs each). */
    public static List<String> shippedProfiles() {
        return List.of("sandbox", "sandbox-conditional", "sandbox-guard-read", "app", "hubspot-contacts",
                "salesforce-contacts", "stripe-customers", "smartsheet-rows");
    }

    public static ProviderBehaviour read(Path file) {
        try {
            return parse(JSON.readTree(Files.readAllBytes(file)), file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("behaviour " + file + ": cannot be read as JSON: " + e.getMessage(), e);
        }
    }

    static ProviderBehaviour parse(JsonNode node, String source) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("behaviour " + source + ": expected a JSON object");
        }
        unknown(node, FIELDS, source, "");
        JsonNode behaviour = node.path("behaviour");
        unknown(behaviour, BEHAVIOUR_FIELDS, source, "behaviour.");
        Map<String, String> params = new LinkedHashMap<>();
        node.path("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
        Map<String, RequestBehaviour> requests = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = node.path("requests").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!OPERATIONS.contains(e.getKey())) {
                throw new IllegalArgumentException("behaviour " + source + ": requests: unknown operation '" + e.getKey()
                        + "' (expected one of " + OPERATIONS + ")");
            }
            unknown(e.getValue(), REQUEST_FIELDS, source, "requests." + e.getKey() + ".");
            requests.put(e.getKey(), new RequestBehaviour(text(e.getValue(), "fields"), text(e.getValue(), "externalId"),
                    text(e.getValue(), "recordId"), text(e.getValue(), "response"), e.getValue().path("status").asInt(0)));
        }
        JsonNode webhook = node.path("webhook");
        unknown(webhook, WEBHOOK_FIELDS, source, "webhook.");
        String actorName = behaviour.path("actor").asText("none").toUpperCase(Locale.ROOT).replace('-', '_');
        SandboxConfig.ActorMetadata actor;
        try {
            actor = SandboxConfig.ActorMetadata.valueOf(actorName);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("behaviour " + source + ": behaviour.actor must be none, hubspot-like or "
                    + "salesforce-like, got '" + behaviour.path("actor").asText() + "'", e);
        }
        Delivery delivery;
        try {
            delivery = Delivery.valueOf(node.path("delivery").asText("webhook").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("behaviour " + source + ": delivery must be webhook, listing or relay", e);
        }
        ProviderBehaviour parsed = new ProviderBehaviour(required(node, "profile", source),
                required(node, "system", source), node.path("resource").asText("contact"), text(node, "identity"), params,
                actor, behaviour.path("echoChangeAgent").asBoolean(false), behaviour.path("normalizeValues").asBoolean(false),
                behaviour.path("skinny").asBoolean(false), text(behaviour, "rewrite"), text(node, "changeAgent"),
                text(node, "idempotencyKey"), requests, delivery, text(webhook, "body"),
                webhook.path("secret").asText(DEFAULT_SECRET), source);
        if (delivery != Delivery.LISTING && parsed.webhookBody().isEmpty()) {
            throw new IllegalArgumentException("behaviour " + source + ": webhook.body is required when delivery is "
                    + delivery.name().toLowerCase(Locale.ROOT));
        }
        return parsed;
    }

    /** The same provider under another outbound profile name (a user's file). */
    public ProviderBehaviour withProfile(String otherProfile) {
        return new ProviderBehaviour(otherProfile, system, resource, identity, params, actor, echoChangeAgent,
                normalizeValues, skinny, rewrite, changeAgent, idempotencyKey, requests, delivery, webhookBody,
                webhookSecret, source);
    }

    /** What the report says about this provider. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        parts.add("actor=" + actor.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        parts.add("echoes-tag=" + echoChangeAgent);
        parts.add("normalizes=" + normalizeValues);
        parts.add("rewrites=" + rewrite.isPresent());
        parts.add("skinny=" + skinny);
        parts.add("delivery=" + delivery.name().toLowerCase(Locale.ROOT));
        return String.join(" ", parts);
    }

    private static void unknown(JsonNode node, Set<String> known, String source, String prefix) {
        if (node.isMissingNode() || node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("behaviour " + source + ": " + prefix + " must be an object");
        }
        node.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) {
                throw new IllegalArgumentException("behaviour " + source + ": unknown field '" + prefix + name + "'");
            }
        });
    }

    private static String required(JsonNode node, String field, String source) {
        return text(node, field).orElseThrow(() -> new IllegalArgumentException("behaviour " + source + ": '" + field
                + "' is required"));
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() && !value.asText().isBlank() ? Optional.of(value.asText()) : Optional.empty();
    }

    static UncheckedIOException io(IOException e) {
        return new UncheckedIOException(e);
    }
}
