package io.loopfree.sync.ports;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.loopfree.sync.domain.outbound.OutboundResponse;
import io.loopfree.sync.domain.outbound.OutboundTarget;
import io.loopfree.sync.domain.outbound.OutboundWrite;

/**
 * Calls a system's API as its outbound profile describes. Every call is bounded by {@code deadline} (retries of
 * 5xx/timeouts included); none throws for an HTTP answer: the answer's kind says what happened. A target whose
 * profile does not exist or is invalid is a configuration error and throws.
 */
public interface OutboundClient {

    /**
     * Upsert (by external id, or create / update by id where the target has no upsert) or delete one record;
     * conditional on the record not having changed there since {@code lastSeen} where the profile's concurrency is
     * conditional ({@link OutboundResponse.PreconditionFailed} when it has); empty: unconditional.
     */
    OutboundResponse write(OutboundWrite write, Optional<Instant> lastSeen, Instant deadline);

    /** {@link #write(OutboundWrite, Optional, Instant)} without a precondition. */
    default OutboundResponse write(OutboundWrite write, Instant deadline) {
        return write(write, Optional.empty(), deadline);
    }

    /** The record as the target holds it now ({@link OutboundResponse.Done#body()}), for skinny webhooks. */
    OutboundResponse fetch(OutboundTarget target, String resource, String recordId, Instant deadline);

    /**
     * One page of records changed since {@code since}, oldest first (the reconciler's delta listing).
     *
     * @param cursor the previous page's {@link Page#next()}, empty for the first page
     */
    PageResult list(OutboundTarget target, String resource, Instant since, Optional<String> cursor, Instant deadline);

    /** @param page present when the call was {@link OutboundResponse.Done}; otherwise {@code response} says why not */
    record PageResult(OutboundResponse response, Optional<Page> page) {
    }

    /**
     * @param records     the listed records, as the target returns them; {@code next} empty on the last page
     * @param recordsJson the same records as JSON text, one per record (what the reconciler enqueues as a body)
     */
    record Page(List<Map<String, Object>> records, Optional<String> next, List<String> recordsJson) {
        public Page {
            records = List.copyOf(records);
            recordsJson = List.copyOf(recordsJson);
            if (recordsJson.size() != records.size()) {
                throw new IllegalArgumentException("one JSON text per record");
            }
        }
    }
}
