package io.loopfree.sync.domain.connection;

import java.util.List;
import java.util.Objects;

/**
 * How a connection pairs the records that already exist in its systems when it is first synced (initial matching):
 * by one unified field, or two (both must be equal), normalized ({@code domain.reconcile.MatchKeys}); where the
 * paired records' fields differ, {@code winner}'s values become the canonical fields and are written to the others.
 *
 * @param keys   one or two unified field names, e.g. {@code ["email"]} or {@code ["email", "lastName"]}
 * @param winner the system whose values win at first match
 */
public record MatchRule(List<String> keys, String winner) {

    public MatchRule {
        Objects.requireNonNull(keys, "keys");
        keys = List.copyOf(keys);
        if (keys.isEmpty() || keys.size() > 2 || keys.stream().anyMatch(k -> k == null || k.isBlank())) {
            throw new IllegalArgumentException("match.keys must name one or two unified fields, not " + keys);
        }
        Objects.requireNonNull(winner, "match.winner");
    }
}
