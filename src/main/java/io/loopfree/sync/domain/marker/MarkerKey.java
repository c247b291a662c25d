package io.loopfree.sync.domain.marker;

/** Where the marker for one record in one system lives: {@code MARKER#acme#hubspot#contact#42}. */
public record MarkerKey(String tenant, String system, String resource, String recordId) {

    public String asItemKey() {
        return "MARKER#" + tenant + "#" + system + "#" + resource + "#" + recordId;
    }
}
