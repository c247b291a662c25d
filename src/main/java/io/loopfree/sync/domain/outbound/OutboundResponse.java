package io.loopfree.sync.domain.outbound;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a provider answered to one outbound call. The headers are kept (lower-case names) on every kind, so that
 * rate-limit usage can be read from every response, not only from 429s.
 */
public sealed interface OutboundResponse {

    int status();

    Map<String, List<String>> headers();

    /** The call did what it was asked: {@code recordId} is the record's id in the target (from the response). */
    record Done(int status, String recordId, Map<String, Object> body, Map<String, List<String>> headers)
            implements OutboundResponse {
    }

    /** 404 on a get or a delete: the record is not there. */
    record NotFound(int status, Map<String, List<String>> headers) implements OutboundResponse {
    }

    /** A client error other than 404/429: retrying will not help; never counts against the provider's health. */
    record Rejected(int status, String reason, Map<String, List<String>> headers) implements OutboundResponse {
    }

    /** 429 (or a provider's equivalent): never retried blindly; {@code retryAt} from Retry-After when given. */
    record RateLimited(int status, Optional<Instant> retryAt, Map<String, List<String>> headers)
            implements OutboundResponse {
    }

    /** 5xx, a timeout or a connection failure, after the bounded retries; {@code status} 0 when nothing answered. */
    record Unavailable(int status, String reason, Map<String, List<String>> headers) implements OutboundResponse {
    }
}
