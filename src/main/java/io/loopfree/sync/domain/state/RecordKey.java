package io.loopfree.sync.domain.state;

/** One record's sync state: {@code pk=RECORD#acme#contact#app:c_42}, {@code sk=STATE} in the state table. */
public record RecordKey(String tenant, String resource, String canonicalKey) {

    public String asItemKey() {
        return "RECORD#" + tenant + "#" + resource + "#" + canonicalKey;
    }
}
