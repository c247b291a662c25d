package io.loopfree.sync.local;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    private final List<SandboxProvider> sandboxes;

    private DemoSystems(List<SandboxProvider> sandboxes) {
        this.sandboxes = sandboxes;
    }

    /**
     * What the functions need to talk with the demo systems: webhook secrets (ingress), API tokens (processor,
     * reconciler) and our identity in the HubSpot-like sandbox (a map key with a dash: set as a system property).
     */
    public static Map<String, String> environment() {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("WEBHOOK_SECRETS_SANDBOX_RICH_ACME", RICH_CLIENT_SECRET);
        environment.put("WEBHOOK_SECRETS_SANDBOX_SKINNY_ACME", LocalEngine.DEMO_SECRET);
        for (String system : List.of("APP", "SANDBOX_RICH", "SANDBOX_SKINNY")) {
            environment.put("WEBHOOK_SECRETS_" + system + "_ACME_OUTBOUND_TOKEN", ENGINE_TOKEN);
        }
        environment.put("JAVA_TOOL_OPTIONS", "-Dsync.identities.sandbox-rich=" + ENGINE_CLIENT_ID);
        return environment;
    }

    /**
     * Starts the three systems, their webhooks aimed at {@code gateway}, and seeds the demo connection.
     *
     * @param firstPort the app's port, the CRMs' the next two; 0 for free ports
     */
    public static DemoSystems start(URI gateway, int firstPort, DynamoDbClient dynamo) {
        List<SandboxProvider> started = new ArrayList<>();
        try {
            started.add(SandboxProvider.start(base(APP, gateway, firstPort, 0)
                    .withPayloadFormat(SandboxConfig.PayloadFormat.APP).withEchoChangeAgent(true)
                    .withActorMetadata(SandboxConfig.ActorMetadata.NONE)));
            started.add(SandboxProvider.start(base(RICH, gateway, firstPort, 1)
                    .withActorMetadata(SandboxConfig.ActorMetadata.HUBSPOT_LIKE)
                    .withSigning(SandboxConfig.Signing.hubspotV3(RICH_CLIENT_SECRET))));
            started.add(SandboxProvider.start(base(SKINNY, gateway, firstPort, 2).withSkinny(true)
                    .withNormalizeValues(true)));
        } catch (RuntimeException e) {
            started.forEach(SandboxProvider::close);
            throw e;
        }
        DemoSystems demo = new DemoSystems(started);
        demo.seed(dynamo);
        return demo;
    }

    private static SandboxConfig base(String system, URI gateway, int firstPort, int offset) {
        return SandboxConfig.of(system, TENANT)
                .withWebhookUrl(gateway.resolve("/webhooks/" + system + "/" + TENANT).toString())
                .withEngineToken(ENGINE_TOKEN).withEngineClientId(ENGINE_CLIENT_ID)
                .withPort(firstPort == 0 ? 0 : firstPort + offset);
    }

    /** The demo connection: last write wins, deletes propagated, every system through the sandbox profile. */
    private void seed(DynamoDbClient dynamo) {
        StringBuilder systems = new StringBuilder();
        for (SandboxProvider sandbox : sandboxes) {
            if (!systems.isEmpty()) {
                systems.append(',');
            }
            systems.append("{\"system\":\"").append(sandbox.config().system()).append("\",\"account\":\"")
                    .append(sandbox.config().account()).append("\",\"profile\":\"sandbox\",\"params\":{\"baseUrl\":\"")
                    .append(url(sandbox)).append("\"}}");
        }
        String connection = "[{\"tenant\":\"" + TENANT + "\",\"resource\":\"contact\",\"ownership\":{\"rule\":"
                + "\"last-write-wins\"},\"onDelete\":\"propagate\",\"systems\":[" + systems + "]}]";
        ConnectionSeeds.seed(dynamo, SyncResources.STATE_TABLE,
                new ByteArrayInputStream(connection.getBytes(StandardCharsets.UTF_8)));
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
