package io.loopfree.sync.domain.connection;

import java.util.Map;
import java.util.Objects;

import io.loopfree.sync.domain.outbound.OutboundTarget;

/**
 * One system of a connection: the tenant's account there, how we write to it, and per unified field the way the
 * field may flow ({@link FieldDirection#both} when not named).
 */
public record ConnectionSystem(String system, String account, OutboundTarget target,
        Map<String, FieldDirection> directions) {

    public ConnectionSystem {
        Objects.requireNonNull(system, "system");
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(target, "target");
        directions = directions == null ? Map.of() : Map.copyOf(directions);
    }

    public FieldDirection direction(String unifiedField) {
        return directions.getOrDefault(unifiedField, FieldDirection.both);
    }
}
