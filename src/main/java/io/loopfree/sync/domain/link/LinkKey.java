package io.loopfree.sync.domain.link;

/**
 * One record's id in one system, which the identity link ties to its canonical record:
 * {@code LINK#acme#contact#sandbox-rich#rch_7} → canonical key {@code app:c_42}.
 */
public record LinkKey(String tenant, String resource, String system, String recordId) {

    public String asItemKey() {
        return "LINK#" + tenant + "#" + resource + "#" + system + "#" + recordId;
    }

    /** The canonical key of a record first seen in this system, when no link says otherwise. */
    public String defaultCanonicalKey() {
        return system + ":" + recordId;
    }
}
