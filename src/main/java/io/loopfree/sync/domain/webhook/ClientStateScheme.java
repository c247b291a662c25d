package io.loopfree.sync.domain.webhook;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Microsoft Graph change notifications carry no signature; each notification in {@code value} carries the
 * {@code clientState} given when the subscription was created, which must match a secret known only to us and
 * Graph (learn.microsoft.com/graph/change-notifications-delivery-webhooks, "Processing the change notification").
 * A delivery is accepted only when every notification in it matches one of the active secrets: one forged
 * notification makes the whole delivery suspect.
 */
public final class ClientStateScheme implements SignatureScheme {

    private final String itemsPointer;
    private final String field;

    public ClientStateScheme(Optional<String> itemsPointer, Optional<String> field) {
        this.itemsPointer = itemsPointer.orElse("/value");
        this.field = field.orElse("/clientState");
        Json.compile(this.itemsPointer);
        Json.compile(this.field);
    }

    @Override
    public Verification verify(WebhookRequest request, List<String> activeSecrets, Instant now) {
        Optional<JsonNode> root = Json.parse(request.body());
        if (root.isEmpty()) {
            return Verification.rejected("body is not JSON: no client state to check");
        }
        JsonNode items = root.get().at(Json.compile(itemsPointer));
        if (!items.isArray() || items.isEmpty()) {
            return Verification.rejected("no notifications at " + itemsPointer + ": no client state to check");
        }
        int firstMatch = -1;
        for (JsonNode item : items) {
            Optional<String> state = Json.text(item, field);
            if (state.isEmpty()) {
                return Verification.rejected("a notification has no " + field);
            }
            int match = matchingSecret(state.get(), activeSecrets);
            if (match < 0) {
                return Verification.rejected("client state mismatch");
            }
            firstMatch = firstMatch < 0 ? match : firstMatch;
        }
        return Verification.verified(firstMatch);
    }

    private static int matchingSecret(String presented, List<String> activeSecrets) {
        int found = -1;
        for (int i = 0; i < activeSecrets.size(); i++) {
            // every secret is compared, so timing does not tell which one (or whether any) matched
            if (Hmacs.equal(presented, activeSecrets.get(i)) && found < 0) {
                found = i;
            }
        }
        return found;
    }
}
