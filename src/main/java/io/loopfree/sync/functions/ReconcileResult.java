package io.loopfree.sync.functions;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What one reconciler invocation did, per job; returned to the invoker and visible in the Lambda console. */
public record ReconcileResult(
        @JsonProperty("scheduledEventId") String scheduledEventId,
        @JsonProperty("startedAt") String startedAt,
        @JsonProperty("jobs") List<Job> jobs) {

    public record Job(
            @JsonProperty("job") String job,
            @JsonProperty("previousWatermark") String previousWatermark,
            @JsonProperty("watermark") String watermark,
            @JsonProperty("saved") boolean saved) {
    }
}
