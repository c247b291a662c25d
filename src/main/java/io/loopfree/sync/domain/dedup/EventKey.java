package io.loopfree.sync.domain.dedup;

/** Identifies one provider event for deduplication: the same event id from another system or tenant is another event. */
public record EventKey(String system, String tenant, String eventId) {

    /** The DynamoDB partition key, readable in the console: {@code EVENT#hubspot#acme#evt_123}. */
    public String asItemKey() {
        return "EVENT#" + system + "#" + tenant + "#" + eventId;
    }
}
