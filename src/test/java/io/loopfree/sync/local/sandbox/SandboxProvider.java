package io.loopfree.sync.local.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A local stand-in for a CRM (docs/sandbox.md): keeps records, answers a REST API, and fires a signed webhook at
 * the ingress on every change, the engine's own writes included, which is how echoes arise. The Java methods
 * here go through the same request handling as HTTP clients do.
 *
 * <pre>{@code
 * try (SandboxProvider crm = SandboxProvider.start(SandboxConfig.of("sandbox-rich", "acme")
 *         .withWebhookUrl("http://127.0.0.1:8080/webhooks/sandbox-rich/acme")
 *         .withActorMetadata(SandboxConfig.ActorMetadata.HUBSPOT_LIKE))) {
 *     ObjectNode contact = crm.humanCreate("contacts", Map.of("email", "ada@example.com"));
 *     await().until(() -> crm.pendingWebhooks() == 0);
 * }
 * }</pre>
 */
public final class SandboxProvider implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SandboxConfig config;
    private final SandboxAudit audit;
    private final WebhookDispatcher webhooks;
    private final SandboxApi api;
    private final SandboxHttpServer server;

    private SandboxProvider(SandboxConfig config) throws IOException {
        this.config = config;
        this.audit = new SandboxAudit();
        this.webhooks = new WebhookDispatcher(config, audit);
        this.api = new SandboxApi(config, audit, webhooks);
        try {
            this.server = new SandboxHttpServer(config.port(), config.system(), api);
        } catch (IOException e) {
            webhooks.close();
            throw e;
        }
    }

    /** Starts listening on 127.0.0.1 ({@code config.port()}, 0 = a free port). */
    public static SandboxProvider start(SandboxConfig config) {
        try {
            return new SandboxProvider(config);
        } catch (IOException e) {
            throw new UncheckedIOException("sandbox " + config.system() + " could not listen on port " + config.port(), e);
        }
    }

    /** E.g. {@code http://127.0.0.1:54321}; the API is under {@code /api/}, controls under {@code /_sandbox/}. */
    public URI baseUrl() {
        return server.baseUrl();
    }

    public SandboxConfig config() {
        return config;
    }

    /** Any request, exactly as if it came over HTTP (use it for engine-authenticated calls in tests). */
    public SandboxResponse handle(SandboxRequest request) {
        return api.handle(request);
    }

    /** Creates a record as the human {@code human} (no Authorization header). @return the record */
    public ObjectNode humanCreate(String resource, Map<String, ?> fields) {
        return humanCreateAs("human", resource, fields);
    }

    public ObjectNode humanCreateAs(String user, String resource, Map<String, ?> fields) {
        return humanWrite(user, "POST", "/api/" + encode(resource), fields);
    }

    /** Patches (merges) fields into a record as the human {@code human}. @return the record */
    public ObjectNode humanEdit(String resource, String id, Map<String, ?> fields) {
        return humanEditAs("human", resource, id, fields);
    }

    public ObjectNode humanEditAs(String user, String resource, String id, Map<String, ?> fields) {
        return humanWrite(user, "PATCH", "/api/" + encode(resource) + "/" + encode(id), fields);
    }

    /** Deletes a record (leaves a tombstone) as the human {@code human}. */
    public void humanDelete(String resource, String id) {
        SandboxResponse response = api.handle(new SandboxRequest("DELETE", "/api/" + encode(resource) + "/" + encode(id),
                "", Map.of(SandboxApi.USER_HEADER, "human"), null));
        requireSuccess(response);
    }

    /** The record as GET returns it (tombstones too), without counting against the rate limit. */
    public Optional<ObjectNode> record(String resource, String id) {
        return api.record(resource, id);
    }

    /** Every record of a resource, tombstones included, in (updated_at, id) order. */
    public List<ObjectNode> records(String resource) {
        return api.records(resource);
    }

    public SandboxAudit.Snapshot audit() {
        return audit.snapshot();
    }

    public SandboxAudit.Snapshot audit(String recordId) {
        return audit.snapshot().forRecord(recordId);
    }

    /**
     * A test's hook, asked before each request (HTTP or Java API): a response it returns is answered without
     * touching the records (null: handled as usual); {@code null} removes it. Lets a test stop the world at an exact
     * request, e.g. kill the function that is making it, the way no control command can.
     */
    public void intercept(java.util.function.Function<SandboxRequest, SandboxResponse> interceptor) {
        api.intercept(interceptor);
    }

    public void control(SandboxControl control) {
        api.control(control);
    }

    /** Webhook deliveries scheduled, held or being retried and not yet finished; 0 = the sandbox is quiet. */
    public int pendingWebhooks() {
        return webhooks.pending();
    }

    /** Clears records, audit, idempotency keys and the rate-limit window (controls already set stay). */
    public void reset() {
        api.reset();
    }

    @Override
    public void close() {
        server.close();
        webhooks.close();
    }

    private ObjectNode humanWrite(String user, String method, String path, Map<String, ?> fields) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("fields must be JSON values", e);
        }
        SandboxResponse response = api.handle(new SandboxRequest(method, path, "", Map.of(SandboxApi.USER_HEADER, user,
                "Content-Type", "application/json"), body));
        requireSuccess(response);
        return (ObjectNode) response.json();
    }

    private static void requireSuccess(SandboxResponse response) {
        if (response.status() / 100 != 2) {
            throw new IllegalStateException("sandbox answered " + response.status() + ": " + response.text());
        }
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
