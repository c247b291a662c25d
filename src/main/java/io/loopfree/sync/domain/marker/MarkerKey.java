package io.loopfree.sync.domain.marker;

/**
 * Where the markers of our writes of one record to one system live: {@code MARKER#acme#sandbox-rich#contact#app:c_42}.
 * Keyed by the canonical key, not the system's record id, so that the echo of a create (whose id in that system
 * we learn only from the response) finds it too.
 */
public record MarkerKey(String tenant, String system, String resource, String canonicalKey) {

    public String asItemKey() {
        return "MARKER#" + tenant + "#" + system + "#" + resource + "#" + canonicalKey;
    }
}
