package io.loopfree.sync.local;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.loopfree.sync.adapters.dynamodb.ConnectionSeeds;
import io.loopfree.sync.local.sandbox.SandboxConfig;
import io.loopfree.sync.local.sandbox.SandboxProvider;
import io.loopfree.sync.support.SyncResources;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The local run's demo: tenant {@code acme}'s contacts kept in sync between the customer's {@code app} and two
 * sandbox CRMs that behave differently — {@code sandbox-rich} (HubSpot-like: full records, the writer's identity in
 * every webhook, HubSpot v3 signatures) and {@code sandbox-skinny} (ids only, no actor, our tag stripped, values
 * normalized, Standard Webhooks) — so that a person can edit a contact in one and watch it arrive in the others once,
 * and its echoes die. Each sandbox fires signed webhooks at the local API Gateway, our writes included.
 */
public final class DemoSystems implements AutoCloseable {

    public static final String TENANT = "acme";
    public static final String APP = "app";
    public static final String RICH = "sandbox-rich";
    public static final String SKINNY = "sandbox-skinny";
    public static final String ENGINE_TOKEN = "demo-engine-token";
    public static final String RICH_CLIENT_SECRET = "demo-hubspot-like-client-secret";
    /** The engine's client id in the sandboxes: HubSpot-like webhooks name it as the writer of our changes. */
    public static final String ENGINE_CLIENT_ID = "loopfree-sync";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String tenant;
    private final List<SandboxProvider> sandboxes;

    private DemoSystems(String tenant, List<SandboxProvider> sandboxes) {
        this.tenant = tenant;
        this.sandboxes = sandboxes;
    }

    /**
     * A tenant's systems: the demo's three (or some of them), each sandbox adjusted (a variety, a rate limit…),
     * each reached through an outbound profile (default {@code sandbox}), and their connection adjusted (e.g. an
     * ownership rule). The end-to-end scenarios start one per tenant beside the demo; the demo is {@link #demo()}.
     *
     * @param systems    which of {@link #APP}, {@link #RICH}, {@link #SKINNY} the tenant has
     * @param adjust     per system, what changes in its sandbox's config
     * @param profiles   per system, the outbound profile the connection names (default {@code sandbox})
     * @param connection what changes in the connection item as seeded (a JSON object, as in a seed file)
     */
    public record Spec(String tenant, List<String> systems, Map<String, UnaryOperator<SandboxConfig>> adjust,
            Map<String, String> profiles, UnaryOperator<ObjectNode> connection) {

        public Spec {
            systems = List.copyOf(systems);
            adjust = Map.copyOf(adjust);
            profiles = Map.copyOf(profiles);
        }

        public static Spec demo() {
            return tenant(TENANT);
        }

        /** The demo's three systems for another tenant. */
        public static Spec tenant(String tenant) {
            return new Spec(tenant, List.of(APP, RICH, SKINNY), Map.of(), Map.of(), c -> c);
        }

        public Spec withSystems(String... systems) {
            return new Spec(tenant, List.of(systems), adjust, profiles, connection);
        }

        public Spec adjust(String system, UnaryOperator<SandboxConfig> change) {
            Map<String, UnaryOperator<SandboxConfig>> more = new LinkedHashMap<>(adjust);
            UnaryOperator<SandboxConfig> before = more.getOrDefault(system, c -> c);
            more.put(system, c -> change.apply(before.apply(c)));
            return new Spec(tenant, systems, more, profiles, connection);
        }

        public Spec withProfile(String system, String profile) {
            Map<String, String> more = new LinkedHashMap<>(profiles);
            more.put(system, profile);
            return new Spec(tenant, systems, adjust, more, connection);
        }

        public Spec withConnection(UnaryOperator<ObjectNode> change) {
            UnaryOperator<ObjectNode> before = connection;
            return new Spec(tenant, systems, adjust, profiles, c -> change.apply(before.apply(c)));
        }
    }

    /**
     * What the functions need to talk with the demo systems: webhook secrets (ingress), API tokens (processor,
     * reconciler) and our identity in the HubSpot-like sandbox (a map key with a dash: set as a system property).
     */
    public static Map<String, String> environment() {
        Map<String, String> environment = environment(TENANT);
        environment.put("JAVA_TOOL_OPTIONS", "-Dsync.identities.sandbox-rich=" + ENGINE_CLIENT_ID);
        return environment;
    }

    /**
     * The secrets of one tenant's demo systems (the same values for every tenant): webhook secrets for the ingress,
     * API tokens for the outbound calls. The app's webhook secret is the engine's demo secret unless the local run
     * sets another; scenarios of other tenants add it here.
     */
    public static Map<String, String> environment(String tenant) {
        String suffix = "_" + tenant.toUpperCase(Locale.ROOT).replace('-', '_');
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("WEBHOOK_SECRETS_SANDBOX_RICH" + suffix, RICH_CLIENT_SECRET);
        environment.put("WEBHOOK_SECRETS_SANDBOX_SKINNY" + suffix, LocalEngine.DEMO_SECRET);
        if (!TENANT.equals(tenant)) {
            environment.put("WEBHOOK_SECRETS_APP" + suffix, LocalEngine.DEMO_SECRET);
        }
        for (String system : List.of("APP", "SANDBOX_RICH", "SANDBOX_SKINNY")) {
            environment.put("WEBHOOK_SECRETS_" + system + suffix + "_OUTBOUND_TOKEN", ENGINE_TOKEN);
        }
        return environment;
    }

    /**
     * Starts the three systems, their webhooks aimed at {@code gateway}, and seeds the demo connection.
     *
     * @param firstPort the app's port, the CRMs' the next two; 0 for free ports
     */
    public static DemoSystems start(URI gateway, int firstPort, DynamoDbClient dynamo) {
        return start(Spec.demo(), gateway, firstPort, dynamo);
    }

    /** Starts a tenant's systems as {@code spec} says, their webhooks aimed at {@code gateway}, and seeds their connection. */
    public static DemoSystems start(Spec spec, URI gateway, int firstPort, DynamoDbClient dynamo) {
        List<SandboxProvider> started = new ArrayList<>();
        try {
            for (String system : spec.systems()) {
                int offset = List.of(APP, RICH, SKINNY).indexOf(system);
                SandboxConfig config = switch (system) {
                    case APP -> base(system, spec.tenant(), gateway, firstPort, offset)
                            .withPayloadFormat(SandboxConfig.PayloadFormat.APP).withEchoChangeAgent(true)
                            .withActorMetadata(SandboxConfig.ActorMetadata.NONE);
                    case RICH -> base(system, spec.tenant(), gateway, firstPort, offset)
                            .withActorMetadata(SandboxConfig.ActorMetadata.HUBSPOT_LIKE)
                            .withSigning(SandboxConfig.Signing.hubspotV3(RICH_CLIENT_SECRET));
                    case SKINNY -> base(system, spec.tenant(), gateway, firstPort, offset).withSkinny(true)
                            .withNormalizeValues(true);
                    default -> throw new IllegalArgumentException("not a demo system: " + system);
                };
                started.add(SandboxProvider.start(spec.adjust().getOrDefault(system, c -> c).apply(config)));
            }
        } catch (RuntimeException e) {
            started.forEach(SandboxProvider::close);
            throw e;
        }
        DemoSystems systems = new DemoSystems(spec.tenant(), started);
        systems.seed(spec, dynamo);
        return systems;
    }

    private static SandboxConfig base(String system, String tenant, URI gateway, int firstPort, int offset) {
        return SandboxConfig.of(system, tenant)
                .withWebhookUrl(gateway.resolve("/webhooks/" + system + "/" + tenant).toString())
                .withEngineToken(ENGINE_TOKEN).withEngineClientId(ENGINE_CLIENT_ID)
                .withPort(firstPort == 0 ? 0 : firstPort + offset);
    }

    /** The connection: last write wins, deletes propagated, every system through its profile (default sandbox). */
    private void seed(Spec spec, DynamoDbClient dynamo) {
        ObjectNode connection = JSON.createObjectNode();
        connection.put("tenant", tenant);
        connection.put("resource", "contact");
        connection.putObject("ownership").put("rule", "last-write-wins");
        connection.put("onDelete", "propagate");
        ArrayNode systems = connection.putArray("systems");
        for (SandboxProvider sandbox : sandboxes) {
            ObjectNode system = systems.addObject();
            system.put("system", sandbox.config().system());
            system.put("account", sandbox.config().account());
            system.put("profile", spec.profiles().getOrDefault(sandbox.config().system(), "sandbox"));
            system.putObject("params").put("baseUrl", url(sandbox));
        }
        ArrayNode seed = JSON.createArrayNode().add(spec.connection().apply(connection));
        ConnectionSeeds.seed(dynamo, SyncResources.STATE_TABLE,
                new ByteArrayInputStream(seed.toString().getBytes(StandardCharsets.UTF_8)));
    }

    public String tenant() {
        return tenant;
    }

    public SandboxProvider sandbox(String system) {
        return sandboxes.stream().filter(s -> s.config().system().equals(system)).findFirst().orElseThrow();
    }

    public List<SandboxProvider> all() {
        return List.copyOf(sandboxes);
    }

    /** True when no sandbox has a webhook still to deliver. */
    public boolean quiet() {
        return sandboxes.stream().allMatch(s -> s.pendingWebhooks() == 0);
    }

    static String url(SandboxProvider sandbox) {
        return sandbox.baseUrl().toString().replaceAll("/$", "");
    }

    /** The banner's walk-through: create in the app, edit in a CRM, read the audit logs. */
    public String walkThrough() {
        String app = url(sandbox(APP));
        String rich = url(sandbox(RICH));
        String skinny = url(sandbox(SKINNY));
        return """
                Demo (tenant acme, contacts): app %s  sandbox-rich %s  sandbox-skinny %s
                  1. create a contact in the app, as a person:
                     curl -s -X POST %s/api/contact -H 'X-Sandbox-User: ada' -d '{"email":"ada@example.com","name":"Ada Lovelace"}'
                  2. it is in both CRMs, in their own field names:
                     curl -s %s/api/contact ; curl -s %s/api/contact
                  3. edit it in the skinny CRM (rec id from step 2), and watch the others follow:
                     curl -s -X PATCH %s/api/contact/skinny_1 -H 'X-Sandbox-User: grace' -d '{"FirstName":"Augusta"}'
                  4. nothing looped: each system was written once per edit, echoes dropped by layer in the log:
                     curl -s %s/_sandbox/audit   (and the processor's outcome=dropped:echo-… lines)
                """.formatted(app, rich, skinny, app, rich, skinny, skinny, rich);
    }

    @Override
    public void close() {
        sandboxes.forEach(SandboxProvider::close);
    }
}
