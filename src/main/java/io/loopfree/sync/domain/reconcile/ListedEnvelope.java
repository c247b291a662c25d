package io.loopfree.sync.domain.reconcile;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import io.loopfree.sync.domain.envelope.Envelope;

/**
 * A record the reconciler listed, as an envelope on the processing queue: the body is the listed record as the
 * system returned it; headers say where it came from. The processor recognises it by {@code x-loopfree-source:
 * reconciler} and maps it through the system mapping's {@code resources.<resource>.fetched} section (as a record
 * fetched for a skinny webhook), so it goes through the same layers as a webhook: dedup (the event id derives from
 * system, record id and updated-at), echo, marker, state hash, staleness, apply.
 * <p>
 * The ingress never forwards these headers (it forwards only the headers a provider profile selects), so a webhook
 * cannot pose as a listed record.
 */
public final class ListedEnvelope {

    public static final String SOURCE_HEADER = "x-loopfree-source";
    public static final String SOURCE = "reconciler";
    public static final String RESOURCE_HEADER = "x-loopfree-resource";
    public static final String RECORD_ID_HEADER = "x-loopfree-record-id";
    public static final String ACCOUNT_HEADER = "x-loopfree-account";
    public static final String UPDATED_AT_HEADER = "x-loopfree-updated-at";
    /**
     * Listed by a full sync (a job's first run, a forced resync) or a connection's initial matching: every record
     * once, so the writes it causes are not loop evidence (a first sync of 1,000 records is not a loop).
     */
    public static final String FULL_SYNC_HEADER = "x-loopfree-full-sync";

    /** What the envelope says about the listed record. */
    public record Listed(String account, String resource, String recordId, String updatedAt) {
    }

    private ListedEnvelope() {
    }

    /**
     * @param updatedAtText the record's updated-at as the engine writes instants (ISO-8601, milliseconds)
     */
    public static Envelope of(ReconcileJob job, String recordId, Instant updatedAt, String updatedAtText,
            Instant listedAt, byte[] record) {
        return of(job, recordId, updatedAt, updatedAtText, listedAt, record, false);
    }

    /** @param fullSync listed by a full sync or an initial matching ({@link #FULL_SYNC_HEADER}) */
    public static Envelope of(ReconcileJob job, String recordId, Instant updatedAt, String updatedAtText,
            Instant listedAt, byte[] record, boolean fullSync) {
        Map<String, String> headers = new java.util.HashMap<>(Map.of(
                "content-type", "application/json",
                SOURCE_HEADER, SOURCE,
                RESOURCE_HEADER, job.resource(),
                RECORD_ID_HEADER, recordId,
                ACCOUNT_HEADER, job.account(),
                UPDATED_AT_HEADER, updatedAtText));
        if (fullSync) {
            headers.put(FULL_SYNC_HEADER, "true");
        }
        return Envelope.of(job.system(), job.tenant(), ListedEventIds.of(job.system(), recordId, updatedAt), listedAt,
                headers, record);
    }

    /** A record listed by a full sync: the writes it causes are not counted by the loop detector. */
    public static boolean fullSync(Envelope envelope) {
        return SOURCE.equals(envelope.headers().get(SOURCE_HEADER))
                && "true".equals(envelope.headers().get(FULL_SYNC_HEADER));
    }

    /** The listed record an envelope carries; empty for a webhook. */
    public static Optional<Listed> read(Envelope envelope) {
        Map<String, String> headers = envelope.headers();
        if (!SOURCE.equals(headers.get(SOURCE_HEADER))) {
            return Optional.empty();
        }
        String resource = headers.get(RESOURCE_HEADER);
        String recordId = headers.get(RECORD_ID_HEADER);
        if (resource == null || resource.isBlank() || recordId == null || recordId.isBlank()) {
            throw new IllegalArgumentException("a reconciler envelope needs " + RESOURCE_HEADER + " and "
                    + RECORD_ID_HEADER);
        }
        String account = headers.getOrDefault(ACCOUNT_HEADER, envelope.tenant());
        return Optional.of(new Listed(account, resource, recordId, headers.get(UPDATED_AT_HEADER)));
    }
}
