package io.loopfree.sync.domain.echo;

import java.util.Optional;

import io.loopfree.sync.domain.change.Change;

/**
 * The echo checks that need nothing but the change itself: the provider says we made it (our integration
 * identity is the actor), or it carries the change-agent tag we put on every outbound write. They cost no
 * request, so they run before any DynamoDB work.
 */
public final class EchoRules {

    public static final String ECHO_ACTOR = "echo-actor";
    public static final String ECHO_AGENT = "echo-agent";

    private EchoRules() {
    }

    /** @return the drop reason when the change is our own echo */
    public static Optional<String> echoReason(Change change, Identities identities, String ourChangeAgent) {
        if (identities.isUs(change.system(), change.account(), change.actor().id())) {
            return Optional.of(ECHO_ACTOR);
        }
        String agent = change.changeAgent();
        if (agent != null && ourChangeAgent != null && !ourChangeAgent.isBlank()
                && agent.trim().equalsIgnoreCase(ourChangeAgent.trim())) {
            return Optional.of(ECHO_AGENT);
        }
        return Optional.empty();
    }
}
