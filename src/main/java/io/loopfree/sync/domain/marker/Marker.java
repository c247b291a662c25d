package io.loopfree.sync.domain.marker;

import java.time.Instant;

/**
 * Written just before one of our outbound writes to {@code key.system()}, so that the webhook this write causes
 * is recognised as our echo. Short-lived: past {@code expiresAt} it is ignored, whether or not DynamoDB has
 * deleted it yet.
 *
 * @param fieldHash     hash of the tracked fields the record will have in that system after our write; null when
 *                      unknown, then any change to the record inside the window counts as the echo
 * @param correlationId the correlation id of the change that caused the write
 * @param token         identifies this marker, so that consuming it never removes a newer one
 */
public record Marker(MarkerKey key, String fieldHash, String correlationId, Instant writtenAt, Instant expiresAt,
        String token) {

    public boolean liveAt(Instant now) {
        return expiresAt.isAfter(now);
    }

    /**
     * Is a change whose (merged) fields hash to {@code changeHash} the echo of our write? A skinny change carries no
     * fields to compare, so a live marker is enough; otherwise the fields must be the ones we wrote, so that a
     * person's edit landing inside the window is not mistaken for our echo.
     */
    public boolean matches(String changeHash, boolean skinny) {
        return skinny || fieldHash == null || fieldHash.equals(changeHash);
    }
}
