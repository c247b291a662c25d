package io.loopfree.sync.looptest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;

import io.loopfree.sync.app.IngressResult;
import io.loopfree.sync.domain.change.ChangeMapping;
import io.loopfree.sync.domain.outbound.OutboundProfile;
import io.loopfree.sync.domain.reconcile.ReconcileJob;
import io.loopfree.sync.domain.webhook.ProviderProfile;
import io.loopfree.sync.domain.webhook.WebhookRequest;
import io.loopfree.sync.local.sandbox.SandboxAudit;
import io.loopfree.sync.local.sandbox.SandboxConfig;
import io.loopfree.sync.local.sandbox.SandboxProvider;

/**
 * The synthetic-loop check (docs/loop-test.md): a human edit in an origin system (the HubSpot-like sandbox
 * {@code sandbox-rich}) is fanned out by the processor through the outbound profile under test into a sandbox
 * behaving like that provider; the provider's echo (its webhook, signed as it signs, through the ingress; or, for a
 * polling-only system, the reconciler's listing) goes back through the processor; the report says which layer
 * dropped it — or that none did and a write went back out.
 */
public final class LoopCheck {

    /** The origin of the human edit: full records, rich actor metadata (its own echoes die by the actor). */
    public static final String ORIGIN = "sandbox-rich";
    public static final String ORIGIN_SECRET = "loop-test-origin-secret";
    public static final String ORIGIN_IDENTITY = "loopfree-sync";
    static final Set<String> ECHO_LAYERS = Set.of("actor", "change-agent", "marker", "state-hash");
    private static final int MAX_ROUNDS = 6;
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Pipeline pipeline;
    private final Duration quietTimeout;

    public LoopCheck(Pipeline pipeline) {
        this(pipeline, Duration.ofSeconds(15));
    }

    public LoopCheck(Pipeline pipeline, Duration quietTimeout) {
        this.pipeline = pipeline;
        this.quietTimeout = quietTimeout;
    }

    private record Caught(String system, String tenant, byte[] body) {
    }

    /** Runs the check for one provider in {@code tenant} (whose secrets the deployment has). Never throws for bad input. */
    public LoopReport run(ProviderBehaviour behaviour, String tenant) {
        try {
            return check(behaviour, tenant);
        } catch (IllegalArgumentException e) {
            return LoopReport.error(behaviour.system(), e.getMessage());
        } catch (RuntimeException e) {
            return LoopReport.error(behaviour.system(), e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private LoopReport check(ProviderBehaviour behaviour, String tenant) {
        String system = behaviour.system();
        if (system.equals(ORIGIN)) {
            return LoopReport.error(system, ORIGIN + " is the loop test's origin system; name the provider differently");
        }
        OutboundProfile profile;
        try {
            profile = pipeline.outboundProfile(behaviour.profile()).orElse(null);
        } catch (RuntimeException invalid) {
            return LoopReport.error(system, "outbound profile '" + behaviour.profile() + "' is not valid: " + invalid.getMessage());
        }
        if (profile == null) {
            return LoopReport.error(system, "no outbound profile '" + behaviour.profile() + "' (shipped ones: "
                    + "src/main/resources/outbound/; yours: --profile <file>)");
        }
        if (profile.request(OutboundProfile.Operation.UPSERT).isEmpty() && profile.request(OutboundProfile.Operation.CREATE).isEmpty()) {
            return LoopReport.error(system, "outbound profile '" + profile.name() + "' has neither upsert nor create: nothing can be written");
        }
        ChangeMapping mapping;
        try {
            mapping = pipeline.mapping(system).orElse(null);
        } catch (RuntimeException invalid) {
            return LoopReport.error(system, "mapping '" + system + "' is not valid: " + invalid.getMessage());
        }
        if (mapping == null) {
            return LoopReport.error(system, "no mapping for system '" + system + "' (shipped ones: src/main/resources/mappings/;"
                    + " yours: --mappings <dir> with " + system + ".json)");
        }
        if (mapping.fieldMapping(behaviour.resource()).isEmpty()) {
            return LoopReport.error(system, "mapping '" + system + "' has no resources." + behaviour.resource()
                    + " (toUnified/fromUnified): the fan-out can never write to it");
        }
        ProviderProfile ingress = null;
        if (behaviour.delivery() == ProviderBehaviour.Delivery.WEBHOOK) {
            ingress = pipeline.ingressProfile(system).orElse(null);
            if (ingress == null) {
                return LoopReport.error(system, "no ingress profile for system '" + system + "' (its webhooks cannot be "
                        + "received); a polling-only system says \"delivery\": \"listing\"");
            }
        } else if (behaviour.delivery() == ProviderBehaviour.Delivery.LISTING
                && profile.request(OutboundProfile.Operation.LIST).isEmpty()) {
            return LoopReport.error(system, "delivery is listing but outbound profile '" + profile.name() + "' has no list request");
        }
        ProviderProfile originIngress = pipeline.ingressProfile(ORIGIN)
                .orElseThrow(() -> new IllegalStateException("no ingress profile for the origin " + ORIGIN));

        int run = RUNS.incrementAndGet();
        ConcurrentLinkedQueue<Caught> caught = new ConcurrentLinkedQueue<>();
        HttpServer receiver = receiver(caught);
        String hooks = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/webhooks/";
        LoopReport.Builder report = new LoopReport.Builder();
        report.line("loop-test system=" + system + " profile=" + profile.name() + " tenant=" + tenant + " behaviour: "
                + behaviour.describe());
        try (SandboxProvider origin = SandboxProvider.start(SandboxConfig.of(ORIGIN, tenant)
                .withWebhookUrl(hooks + ORIGIN + "/" + tenant).withActorMetadata(SandboxConfig.ActorMetadata.HUBSPOT_LIKE)
                .withEngineToken(ProviderEmulator.ENGINE_TOKEN).withEngineClientId(ORIGIN_IDENTITY).withIdPrefix("o" + run));
                ProviderEmulator target = new ProviderEmulator(behaviour, profile, tenant,
                        behaviour.delivery() != ProviderBehaviour.Delivery.LISTING ? hooks + system + "/" + tenant : null,
                        "t" + run)) {
            pipeline.seedConnection(connection(tenant, behaviour, origin, target));
            Map<String, Object> edit = new LinkedHashMap<>();
            edit.put("email", "ada." + run + "@example.com");
            edit.put("firstname", "Ada");
            edit.put("lastname", "Lovelace");
            edit.put("phone", "+44 20 7946 0" + String.format(Locale.ROOT, "%03d", run % 1000));
            String originId = origin.humanCreate("contact", edit).path("id").asText();
            report.line("  human edit   " + ORIGIN + ":" + originId + " " + edit.keySet());

            List<Pipeline.Processed> processed = new ArrayList<>();
            int listedWrites = 0;
            for (int round = 0; round < MAX_ROUNDS; round++) {
                awaitQuiet(origin, target.sandbox());
                boolean ingested = false;
                Caught next;
                while ((next = caught.poll()) != null) {
                    boolean fromOrigin = next.system().equals(ORIGIN);
                    if (!fromOrigin && behaviour.delivery() == ProviderBehaviour.Delivery.RELAY) {
                        String outcome = pipeline.relay(new String(target.webhookBody(next.body()), StandardCharsets.UTF_8));
                        if (!outcome.equals("enqueued")) {
                            return report.finish(LoopReport.Verdict.ERROR, List.of(), "  result: ERROR the relay did not "
                                    + "enqueue " + system + "'s event: " + outcome);
                        }
                        ingested = true;
                        continue;
                    }
                    byte[] body = fromOrigin ? next.body() : target.webhookBody(next.body());
                    String eventId = eventId(next.body());
                    WebhookRequest request = WebhookSigning.sign(fromOrigin ? originIngress : ingress, next.tenant(),
                            eventId, body, fromOrigin ? ORIGIN_SECRET : behaviour.webhookSecret(), pipeline.now());
                    IngressResult answer = pipeline.ingress(next.system(), next.tenant(), request);
                    if (answer.status() != 202) {
                        return report.finish(LoopReport.Verdict.ERROR, List.of(), "  result: ERROR the ingress refused "
                                + next.system() + "'s webhook: " + answer.status() + " " + answer.body());
                    }
                    ingested = true;
                }
                int targetWrites = engineWrites(target.sandbox()).size();
                boolean listed = false;
                if (behaviour.delivery() == ProviderBehaviour.Delivery.LISTING && targetWrites > listedWrites) {
                    pipeline.reconcile(new ReconcileJob(tenant, system, ProviderEmulator.ACCOUNT, behaviour.resource()));
                    listedWrites = targetWrites;
                    listed = true;
                }
                List<Pipeline.Processed> now = pipeline.processQueued();
                processed.addAll(now);
                if (!ingested && !listed && now.isEmpty()) {
                    break;
                }
            }
            return verdict(behaviour, origin, target, processed, report);
        } finally {
            receiver.stop(0);
        }
    }

    private LoopReport verdict(ProviderBehaviour behaviour, SandboxProvider origin, ProviderEmulator target,
            List<Pipeline.Processed> processed, LoopReport.Builder report) {
        String system = behaviour.system();
        for (ProviderEmulator.Seen seen : target.seen()) {
            report.line("  request      " + system + " <- " + seen.operation() + " " + seen.method() + " " + seen.path()
                    + " -> " + seen.status() + seen.changeAgent().map(a -> " change-agent=" + a).orElse("")
                    + seen.idempotencyKey().map(k -> " idempotency-key=" + k).orElse(""));
        }
        for (Pipeline.Processed p : processed) {
            report.line("  processed    " + p.system() + " " + p.eventId() + " -> " + p.outcome() + " (layer " + p.layer() + ")");
        }
        List<SandboxAudit.Write> toTarget = engineWrites(target.sandbox());
        List<SandboxAudit.Write> backToOrigin = engineWrites(origin);
        List<Pipeline.Processed> fromOrigin = processed.stream().filter(p -> p.system().equals(ORIGIN)).toList();
        List<Pipeline.Processed> echoes = processed.stream().filter(p -> p.system().equals(system)).toList();
        String writes = "writes to " + system + ": " + toTarget.size() + ", back to " + ORIGIN + ": " + backToOrigin.size();
        if (fromOrigin.isEmpty() || !fromOrigin.get(0).outcome().equals("applied")) {
            return report.finish(LoopReport.Verdict.ERROR, List.of(), "  result: ERROR the human edit was not applied ("
                    + (fromOrigin.isEmpty() ? "never processed" : fromOrigin.get(0).outcome()) + "): nothing was checked");
        }
        if (toTarget.isEmpty()) {
            return report.finish(LoopReport.Verdict.ERROR, List.of(), "  result: ERROR nothing was written to " + system
                    + " through profile " + behaviour.profile() + " (see the requests above and the processor's log)");
        }
        Optional<Pipeline.Processed> failed = echoes.stream().filter(p -> p.outcome().startsWith("failed")).findFirst();
        if (failed.isPresent()) {
            return report.finish(LoopReport.Verdict.ERROR, List.of(), "  result: ERROR the echo could not be processed ("
                    + failed.get().outcome() + ", layer " + failed.get().layer() + "): check the mapping of " + system);
        }
        List<String> layers = echoes.stream().map(Pipeline.Processed::layer).filter(ECHO_LAYERS::contains).distinct().toList();
        boolean applied = echoes.stream().anyMatch(p -> p.outcome().equals("applied"));
        if (applied || !backToOrigin.isEmpty() || toTarget.size() > 1) {
            return report.finish(LoopReport.Verdict.LOOP, layers, "  result: LOOP "
                    + (applied ? "no layer caught " + system + "'s echo: it was applied as a new change; " : "")
                    + writes + " (expected 1 and 0)");
        }
        if (echoes.isEmpty()) {
            String path = behaviour.delivery() == ProviderBehaviour.Delivery.LISTING ? "the reconciler's listing"
                    : behaviour.delivery() == ProviderBehaviour.Delivery.RELAY ? "the EventBridge relay" : "a webhook";
            return report.finish(LoopReport.Verdict.ERROR, List.of(), "  result: ERROR our write never came back through "
                    + path + ": nothing was checked");
        }
        Optional<Pipeline.Processed> other = echoes.stream().filter(p -> !ECHO_LAYERS.contains(p.layer())
                && !p.layer().equals("dedup")).findFirst();
        if (other.isPresent()) {
            return report.finish(LoopReport.Verdict.ERROR, layers, "  result: ERROR the echo ended "
                    + other.get().outcome() + ", not at an echo layer");
        }
        if (!layers.contains("actor") && !layers.contains("change-agent")) {
            // markers live sync.markers.ttl and die with their first echo: a late or second echo has only the state hash
            report.line("  note         no actor or change agent recognised: a late echo (after sync.markers.ttl) is caught "
                    + "only if the provider returns exactly what we wrote (state hash); name our identity "
                    + "(sync.identities." + system + ") or have the provider echo our tag if it can");
        }
        String via = behaviour.delivery() == ProviderBehaviour.Delivery.LISTING ? " (via the reconciler's listing)"
                : behaviour.delivery() == ProviderBehaviour.Delivery.RELAY ? " (via the EventBridge relay, in real time)" : "";
        return report.finish(LoopReport.Verdict.CAUGHT, layers, "  result: CAUGHT by " + String.join(", ", layers) + via
                + "; " + writes);
    }

    private void awaitQuiet(SandboxProvider origin, SandboxProvider target) {
        try {
            Awaitility.await().atMost(quietTimeout).pollInterval(Duration.ofMillis(20))
                    .until(() -> origin.pendingWebhooks() == 0 && target.pendingWebhooks() == 0);
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("the sandboxes did not go quiet within " + quietTimeout, e);
        }
    }

    private static List<SandboxAudit.Write> engineWrites(SandboxProvider sandbox) {
        return sandbox.audit().writes().stream()
                .filter(w -> "engine".equals(w.by()) && !w.replayed() && w.status() / 100 == 2).toList();
    }

    private static String connection(String tenant, ProviderBehaviour behaviour, SandboxProvider origin,
            ProviderEmulator target) {
        ObjectNode connection = JSON.createObjectNode();
        connection.put("tenant", tenant);
        connection.put("resource", behaviour.resource());
        connection.putObject("ownership").put("rule", "last-write-wins");
        connection.put("onDelete", "propagate");
        ArrayNode systems = connection.putArray("systems");
        ObjectNode from = systems.addObject();
        from.put("system", ORIGIN);
        from.put("account", origin.config().account());
        from.put("profile", "sandbox");
        from.putObject("params").put("baseUrl", origin.baseUrl().toString().replaceAll("/$", ""));
        ObjectNode to = systems.addObject();
        to.put("system", behaviour.system());
        to.put("account", ProviderEmulator.ACCOUNT);
        to.put("profile", behaviour.profile());
        ObjectNode params = to.putObject("params");
        behaviour.params().forEach(params::put);
        params.put("baseUrl", target.baseUrl());
        return JSON.createArrayNode().add(connection).toString();
    }

    private static String eventId(byte[] sandboxWebhook) {
        try {
            return JSON.readTree(sandboxWebhook).path("eventId").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HttpServer receiver(ConcurrentLinkedQueue<Caught> caught) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/webhooks/", exchange -> {
            try (exchange) {
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readAllBytes();
                }
                String[] path = exchange.getRequestURI().getPath().split("/"); // /webhooks/<system>/<tenant>
                caught.add(new Caught(path[2], path[3], body));
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.start();
        return server;
    }

    /** The configuration a deployment running the check needs for {@code tenant}: secrets and identities. */
    public static Map<String, String> configFor(ProviderBehaviour behaviour, List<String> tenants) {
        Map<String, String> config = new HashMap<>();
        for (String tenant : tenants) {
            config.put("webhook-secrets." + ORIGIN + "." + tenant, ORIGIN_SECRET);
            config.put("webhook-secrets." + ORIGIN + "." + tenant + ".outbound-token", ProviderEmulator.ENGINE_TOKEN);
            config.put("webhook-secrets." + behaviour.system() + "." + tenant, behaviour.webhookSecret());
            config.put("webhook-secrets." + behaviour.system() + "." + tenant + ".outbound-token", ProviderEmulator.ENGINE_TOKEN);
        }
        config.put("sync.identities." + ORIGIN, ORIGIN_IDENTITY);
        behaviour.identity().ifPresent(id -> config.put("sync.identities." + behaviour.system(), id));
        if (behaviour.delivery() == ProviderBehaviour.Delivery.RELAY) {
            config.put("sync.relay.system", behaviour.system());
            config.put("sync.relay.tenants", String.join(",", tenants.stream()
                    .map(t -> ProviderEmulator.orgId(t) + "=" + t).toList()));
        }
        return config;
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
