package io.loopfree.sync.domain.webhook;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import io.loopfree.sync.domain.text.Untrusted;

/**
 * What an event id must be before anything is stored under it. It becomes an SQS message attribute (whose
 * charset excludes control characters and lone surrogates: SQS answers {@code InvalidMessageContents}) and part of
 * the DynamoDB dedup key (at most 2048 bytes), so a delivery whose id breaks either is refused at the door with a
 * 4xx, before SQS is called, instead of failing downstream on every retry.
 */
public final class EventIds {

    /** Longest event id, in UTF-8 bytes: far above any provider's (UUIDs, {@code evt_…}, 64-hex hashes). */
    public static final int MAX_BYTES = 256;

    private EventIds() {
    }

    /** @return why the id is not usable, without quoting it verbatim; empty when it is fine */
    public static Optional<String> problem(String eventId) {
        if (eventId == null || eventId.isBlank()) {
            return Optional.of("the event id is empty");
        }
        int bytes = eventId.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            return Optional.of("the event id is " + bytes + " bytes long; at most " + MAX_BYTES + " are accepted");
        }
        for (int i = 0; i < eventId.length(); i++) {
            char c = eventId.charAt(i);
            boolean pairedSurrogate = Character.isHighSurrogate(c) && i + 1 < eventId.length()
                    && Character.isLowSurrogate(eventId.charAt(i + 1));
            if (pairedSurrogate) {
                i++;
                continue;
            }
            if (Character.isISOControl(c) || Character.isSurrogate(c) || c == '\ufffe' || c == '\uffff') {
                return Optional.of("the event id '" + Untrusted.text(eventId, 60) + "' contains a control or invalid"
                        + " character at position " + i);
            }
        }
        return Optional.empty();
    }
}
