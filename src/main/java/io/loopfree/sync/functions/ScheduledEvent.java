package io.loopfree.sync.functions;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** The parts of an EventBridge scheduled event the reconciler reads. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ScheduledEvent(
        @JsonProperty("id") String id,
        @JsonProperty("detail-type") String detailType,
        @JsonProperty("source") String source,
        @JsonProperty("time") String time,
        @JsonProperty("resources") List<String> resources) {
}
