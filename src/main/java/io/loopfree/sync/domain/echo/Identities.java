package io.loopfree.sync.domain.echo;

import java.util.List;
import java.util.Map;

/**
 * Our own integration identities: the actor ids a provider reports when a change was made through our
 * credentials (HubSpot app id, GitHub App bot login, Jira service account id…). Keyed by {@code <system>} (every
 * account of that system) or {@code <system>.<account>} (that account only).
 */
public record Identities(Map<String, List<String>> byKey) {

    public static final Identities NONE = new Identities(Map.of());

    public Identities {
        byKey = Map.copyOf(byKey);
    }

    public boolean isUs(String system, String account, String actorId) {
        if (actorId == null) {
            return false;
        }
        return contains(byKey.get(system), actorId) || contains(byKey.get(system + "." + account), actorId);
    }

    private static boolean contains(List<String> ids, String actorId) {
        return ids != null && ids.stream().anyMatch(id -> id.trim().equals(actorId));
    }
}
