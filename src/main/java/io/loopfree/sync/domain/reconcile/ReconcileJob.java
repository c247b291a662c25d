package io.loopfree.sync.domain.reconcile;

import java.util.Objects;

/** One sync job: a resource type of one tenant on one connected account of one system. */
public record ReconcileJob(String tenant, String system, String account, String resource) {

    public ReconcileJob {
        requireText(tenant, "tenant");
        requireText(system, "system");
        requireText(account, "account");
        requireText(resource, "resource");
    }

    /** The DynamoDB partition key, readable in the console: {@code WATERMARK#acme#hubspot#portal-42#contact}. */
    public String asItemKey() {
        return "WATERMARK#" + tenant + "#" + system + "#" + account + "#" + resource;
    }

    /** How the job reads in logs and in the scheduled event's detail: {@code acme/hubspot/portal-42/contact}. */
    public String label() {
        return tenant + "/" + system + "/" + account + "/" + resource;
    }

    /** Whether {@code system:account:resource} (the {@code sync.reconciler.jobs} form; any part may be {@code *}) names this job. */
    public boolean matches(String spec) {
        String[] parts = Objects.requireNonNull(spec, "spec").trim().split(":");
        if (parts.length != 3) {
            throw new IllegalArgumentException("a job filter is system:account:resource, got '" + spec + "'");
        }
        return part(parts[0], system) && part(parts[1], account) && part(parts[2], resource);
    }

    private static boolean part(String pattern, String value) {
        return pattern.equals("*") || pattern.equals(value);
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("a reconcile job needs a " + name);
        }
    }
}
