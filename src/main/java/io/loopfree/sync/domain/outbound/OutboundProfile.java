package io.loopfree.sync.domain.outbound;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.loopfree.sync.domain.change.FieldType;

/**
 * How to call one system's API, read from {@code outbound/<name>.json} (data, like the ingress profiles; the format
 * is documented field by field in docs/outbound.md). Expressions are kept as JSONata source text here; the HTTP
 * adapter compiles them.
 *
 * @param baseUrl           the API's base URL, a {@link Template} (e.g. {@code {params.instanceUrl}}); the target's
 *                          {@code baseUrl} parameter overrides it
 * @param externalIdProperty the name of the field that holds our external id in this system ({@code loopfree_id})
 * @param headers           sent with every request (templates), before the request's own
 * @param rateLimitHeaders  the rate-limit header families this provider sends ({@code ietf}, {@code x-ratelimit},
 *                          {@code retry-after}, {@code hubspot}, {@code salesforce}), for the rate-limit reader
 */
public record OutboundProfile(
        String name,
        String description,
        List<String> sources,
        Optional<Template> baseUrl,
        Auth auth,
        String externalIdProperty,
        Map<String, Template> headers,
        List<String> rateLimitHeaders,
        Map<Operation, RequestSpec> requests,
        List<String> notes) {

    public static final List<String> RATE_LIMIT_FAMILIES = List.of("ietf", "x-ratelimit", "retry-after", "hubspot",
            "salesforce");

    public OutboundProfile {
        Objects.requireNonNull(name, "name");
        sources = List.copyOf(sources);
        headers = Map.copyOf(headers);
        rateLimitHeaders = List.copyOf(rateLimitHeaders);
        requests = requests.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(requests));
        notes = List.copyOf(notes);
    }

    public Optional<RequestSpec> request(Operation operation) {
        return Optional.ofNullable(requests.get(operation));
    }

    /**
     * The request for an upsert: {@code update} by id when the record is known there (we hold its id in that
     * system); else the profile's {@code upsert} by external id, else {@code create}. A known record without an
     * {@code update} request has none: an upsert by external id would create a second record wherever the record
     * never got our external id (one a person created there, one matched at the initial sync), and a create always
     * would. The engine never sends a create for a record it knows.
     */
    public Optional<Operation> upsertOperation(boolean recordIdKnown) {
        if (recordIdKnown) {
            return updatesKnownRecords() ? Optional.of(Operation.UPDATE) : Optional.empty();
        }
        return Optional.of(requests.containsKey(Operation.UPSERT) ? Operation.UPSERT : Operation.CREATE);
    }

    /**
     * Whether a record this system already holds can be written by its id ({@code update}). Every system a
     * connection writes to needs it: a record created there by a person is known to us by its id only.
     */
    public boolean updatesKnownRecords() {
        return requests.containsKey(Operation.UPDATE);
    }

    /** Why a write to the known record {@code recordId} cannot be sent with this profile (it has no update). */
    public String noUpdateReason(String recordId) {
        return "profile " + name + " has no \"update\" request: the record " + recordId
                + " exists there and is known by its id only, and an upsert by external id would create a second"
                + " record (never sent)";
    }

    public enum Operation {
        UPSERT, CREATE, UPDATE, DELETE, GET, LIST;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Auth {
        /** {@code Authorization: Bearer <token>}, the token from the secret store (the target's credentials purpose). */
        BEARER,
        NONE
    }

    public enum BodyEncoding {
        JSON("application/json"),
        /** {@code application/x-www-form-urlencoded}, nested objects as {@code a[b]=v}, arrays as {@code a[0]=v} (Stripe). */
        FORM("application/x-www-form-urlencoded");

        private final String contentType;

        BodyEncoding(String contentType) {
            this.contentType = contentType;
        }

        public String contentType() {
            return contentType;
        }
    }

    /**
     * One request. {@code body}, {@code recordId}, {@code record} and {@code error} are JSONata source text.
     *
     * @param body      evaluated over the write's input (fields, externalId…); none: no body
     * @param recordId  over the response body: the record's id in the target (a write)
     * @param updatedAt over the response body: when the write landed, on the provider's clock (a write): our write
     *                  is recorded as of then, so that an edit made there before it landed is judged older
     * @param record    over the response body: the record (a get); none: the whole body
     * @param error     over the response body: a 2xx answer for which it yields something is a failure (HubSpot's
     *                  207 multi-status batch answers)
     * @param retryable whether a 5xx or a timeout may be retried (false for a create that has no idempotency key:
     *                  the first attempt may have landed); a connection that could not be opened is always retried
     * @param list      the listing's parameters (the {@code list} request only)
     */
    public record RequestSpec(
            String method,
            Template path,
            Map<String, Template> query,
            Map<String, Template> headers,
            Optional<String> body,
            BodyEncoding encoding,
            Optional<String> recordId,
            Optional<String> updatedAt,
            Optional<String> record,
            Optional<String> error,
            boolean retryable,
            Optional<ListSpec> list) {

        public RequestSpec {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(path, "path");
            query = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(query));
            headers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(headers));
        }
    }

    /**
     * The delta listing: records changed since a time, oldest first, one page at a time.
     *
     * @param since    how {@code {since}} is written in the request
     * @param pageSize the value of {@code {pageSize}}
     * @param items    JSONata over the response body: the page's records
     * @param next     JSONata over the response body: the next page's cursor (nothing on the last page)
     * @param nextPage what the cursor is: a value for {@code {cursor}} in this request's templates, or a URL (or a
     *                 path on the base URL) to GET as it is (Salesforce's {@code nextRecordsUrl})
     */
    public record ListSpec(SinceFormat since, int pageSize, String items, Optional<String> next, NextPage nextPage) {
    }

    public enum NextPage {
        CURSOR, URL
    }

    public enum SinceFormat {
        /** {@code 2026-11-20T10:00:05.000Z}, the engine's one timestamp form. */
        ISO_8601,
        /**
         * {@code 2026-11-20T10:00:05Z}, truncated to the second (SOQL datetime literals take no fraction): compare
         * with {@code >=} so that nothing is skipped.
         */
        ISO_8601_SECONDS,
        EPOCH_MILLIS,
        EPOCH_SECONDS;

        public String format(Instant since) {
            return switch (this) {
                case ISO_8601 -> FieldType.formatInstant(since);
                case ISO_8601_SECONDS -> DateTimeFormatter.ISO_INSTANT.format(since.truncatedTo(ChronoUnit.SECONDS));
                case EPOCH_MILLIS -> Long.toString(since.toEpochMilli());
                case EPOCH_SECONDS -> Long.toString(since.getEpochSecond());
            };
        }
    }
}
