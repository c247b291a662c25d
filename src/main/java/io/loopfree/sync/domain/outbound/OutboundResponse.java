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

    /**
     * The call did what it was asked: {@code recordId} is the record's id in the target, read from the response (the
     * profile says where), else the id the write already knew (a 204 without a body); null when neither says it.
     * {@code body} is the parsed answer (for a fetch: the record; for a list: empty, the records are in the page).
     * {@code updatedAt}: when a write landed there, on the provider's clock, where the profile says how to read it.
     */
    record Done(int status, String recordId, Map<String, Object> body, Map<String, List<String>> headers,
            Optional<Instant> updatedAt) implements OutboundResponse {

        public Done {
            updatedAt = updatedAt == null ? Optional.empty() : updatedAt;
        }

        /** An answer that does not say when the write landed. */
        public Done(int status, String recordId, Map<String, Object> body, Map<String, List<String>> headers) {
            this(status, recordId, body, headers, Optional.empty());
        }
    }

    /** 404 on a get or a delete: the record is not there. */
    record NotFound(int status, Map<String, List<String>> headers) implements OutboundResponse {
    }

    /**
     * A client error other than 404/429 (also a 2xx whose body the profile's {@code error} expression flags, and
     * status 0 when nothing was sent: no token, no base URL, a path placeholder without a value): retrying will not
     * help; never counts against the provider's health. {@code reason} is bounded and escaped, safe to log.
     */
    record Rejected(int status, String reason, Map<String, List<String>> headers) implements OutboundResponse {
    }

    /**
     * 412 to a conditional write ({@code If-Match}, {@code If-Unmodified-Since}): the record changed there since we
     * last saw it, and nothing was written. Not a failure: what changed there is read and decided again.
     */
    record PreconditionFailed(int status, Map<String, List<String>> headers) implements OutboundResponse {
    }

    /** 429 (or a provider's equivalent): never retried blindly; {@code retryAt} from Retry-After when given. */
    record RateLimited(int status, Optional<Instant> retryAt, Map<String, List<String>> headers)
            implements OutboundResponse {
    }

    /** 5xx, a timeout or a connection failure, after the bounded retries; {@code status} 0 when nothing answered. */
    record Unavailable(int status, String reason, Map<String, List<String>> headers) implements OutboundResponse {
    }
}
