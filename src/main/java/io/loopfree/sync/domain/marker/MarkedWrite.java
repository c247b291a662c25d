package io.loopfree.sync.domain.marker;

import java.time.Instant;

import io.loopfree.sync.domain.change.FieldSet;

/**
 * One of our outbound writes, remembered until its echo arrives (or {@code expiresAt}).
 *
 * @param token       identifies the write, so that consuming its marker never removes another write's
 * @param fieldHash   hash of the tracked fields the record has in the target after the write (what a complete
 *                    echo carries); null when unknown
 * @param fields      the fields we wrote (what a partial echo — one property per webhook — carries)
 */
public record MarkedWrite(String token, String fieldHash, FieldSet fields, String correlationId, Instant writtenAt,
        Instant expiresAt) {

    public MarkedWrite {
        fields = fields == null ? FieldSet.EMPTY : fields;
    }

    public boolean liveAt(Instant now) {
        return expiresAt.isAfter(now);
    }
}
