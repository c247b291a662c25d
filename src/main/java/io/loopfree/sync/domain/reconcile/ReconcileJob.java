package io.loopfree.sync.domain.reconcile;

/** One reconciliation job: a resource type on one connected account of one system. */
public record ReconcileJob(String system, String account, String resource) {

    /** Parses {@code system:account:resource}, the form used in configuration. */
    public static ReconcileJob parse(String spec) {
        String[] parts = spec.trim().split(":");
        if (parts.length != 3 || parts[0].isBlank() || parts[1].isBlank() || parts[2].isBlank()) {
            throw new IllegalArgumentException("reconcile job must be system:account:resource, got '" + spec + "'");
        }
        return new ReconcileJob(parts[0], parts[1], parts[2]);
    }

    /** The DynamoDB partition key, readable in the console: {@code WATERMARK#hubspot#portal-42#contact}. */
    public String asItemKey() {
        return "WATERMARK#" + system + "#" + account + "#" + resource;
    }
}
