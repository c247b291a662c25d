package io.loopfree.sync.functions;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The parts of an EventBridge scheduled event the reconciler reads. A plain schedule sends {@code "detail": {}}:
 * every due job. An operator (or a second rule with a constant input) may name one job, and ask for a forced full
 * resync of it:
 * <pre>
 * "detail": { "tenant": "acme" }                                    (only this tenant's jobs)
 * "detail": { "job": { "tenant": "acme", "system": "hubspot", "account": "62515", "resource": "contact" },
 *             "forceFullResync": true, "pageLimit": 50 }
 * </pre>
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ScheduledEvent(
        @JsonProperty("id") String id,
        @JsonProperty("detail-type") String detailType,
        @JsonProperty("source") String source,
        @JsonProperty("time") String time,
        @JsonProperty("resources") List<String> resources,
        @JsonProperty("detail") Detail detail) {

    /**
     * @param tenant    only this tenant's jobs
     * @param pageLimit stop (and checkpoint) each job after this many pages, besides the time budget
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Detail(
            @JsonProperty("tenant") String tenant,
            @JsonProperty("job") Job job,
            @JsonProperty("forceFullResync") Boolean forceFullResync,
            @JsonProperty("pageLimit") Integer pageLimit,
            @JsonProperty("match") Match match) {
    }

    /** An explicit (re-)matching of one connection: {@code "match": {"tenant": "acme", "resource": "contact"}}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Match(
            @JsonProperty("tenant") String tenant,
            @JsonProperty("resource") String resource) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Job(
            @JsonProperty("tenant") String tenant,
            @JsonProperty("system") String system,
            @JsonProperty("account") String account,
            @JsonProperty("resource") String resource) {
    }
}
