package io.loopfree.sync.functions;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** What one reconciler invocation did, per job; returned to the invoker and visible in the Lambda console. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReconcileResult(
        @JsonProperty("scheduledEventId") String scheduledEventId,
        @JsonProperty("startedAt") String startedAt,
        @JsonProperty("error") String error,
        @JsonProperty("jobs") List<Job> jobs,
        @JsonProperty("invalidConnections") List<String> invalidConnections,
        @JsonProperty("matching") List<Matching> matching) {

    /**
     * A connection's initial matching in this invocation (docs/reconciler.md): completed, running (checkpointed:
     * resumes), failed, skipped, lease_lost; what it found so far.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Matching(
            @JsonProperty("connection") String connection,
            @JsonProperty("status") String status,
            @JsonProperty("indexed") long indexed,
            @JsonProperty("unkeyed") long unkeyed,
            @JsonProperty("matched") long matched,
            @JsonProperty("unmatched") long unmatched,
            @JsonProperty("ambiguous") long ambiguous,
            @JsonProperty("known") long known,
            @JsonProperty("reason") String reason) {
    }

    /**
     * @param status         running (checkpointed: resumes), completed, partial_failure, rate_limited, failed, or
     *                       skipped (another invocation held the job), lease_lost
     * @param pendingWrites  the account's pending outbound writes retried: written / retrying / failed
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Job(
            @JsonProperty("job") String job,
            @JsonProperty("status") String status,
            @JsonProperty("since") String since,
            @JsonProperty("fullSync") boolean fullSync,
            @JsonProperty("resumed") boolean resumed,
            @JsonProperty("pages") int pages,
            @JsonProperty("records") long records,
            @JsonProperty("unreadable") long unreadable,
            @JsonProperty("lastSuccessful") String lastSuccessful,
            @JsonProperty("reason") String reason,
            @JsonProperty("pendingWrites") List<Integer> pendingWrites) {
    }
}
