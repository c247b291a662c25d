package io.loopfree.sync.domain.valve;

import java.util.Objects;

/** One tenant's account on one system: what a breaker, a pause and the loop detector's counters are kept for. */
public record AccountKey(String tenant, String system, String account) {

    public AccountKey {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(system, "system");
        Objects.requireNonNull(account, "account");
    }

    /** {@code acme#hubspot#62515}: the tail of the breaker's and the counters' keys, and the logs' account label. */
    public String label() {
        return tenant + "#" + system + "#" + account;
    }
}
