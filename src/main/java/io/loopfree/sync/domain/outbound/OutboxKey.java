package io.loopfree.sync.domain.outbound;

/**
 * Where the pending write of one record to one system's account waits: {@code pk=OUTBOX#acme#sandbox-rich#acct-1},
 * {@code sk=contact#app:c_42}. One per (target, record): a newer write of the record supersedes a pending one
 * (it carries every field that still differs). Grouped by account, so that a paused account's or a reconciler
 * job's pending writes are one Query.
 */
public record OutboxKey(String tenant, String system, String account, String resource, String canonicalKey) {

    public String partitionKey() {
        return partitionKey(tenant, system, account);
    }

    public String sortKey() {
        return resource + "#" + canonicalKey;
    }

    public static String partitionKey(String tenant, String system, String account) {
        return "OUTBOX#" + tenant + "#" + system + "#" + account;
    }

    public static OutboxKey of(OutboundWrite write) {
        OutboundTarget target = write.target();
        return new OutboxKey(target.tenant(), target.system(), target.account(), write.resource(), write.canonicalKey());
    }
}
