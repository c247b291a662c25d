package io.loopfree.sync.functions;

import jakarta.inject.Inject;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import io.loopfree.sync.app.EventRelayService;
import io.quarkus.funqy.Funq;

/**
 * Lambda entry for {@code QUARKUS_FUNQY_EXPORT=relay}: an EventBridge event from the Salesforce partner event bus
 * (Change Data Capture through Salesforce Event Relay) in, one envelope per record on the processing queue. Thin:
 * the split is {@link io.loopfree.sync.domain.relay.RelayedChangeEvent}'s, the sending {@link EventRelayService}'s.
 * A queue failure throws (the invocation is retried); a refused event is answered, never retried.
 */
public class RelayFunction {

    /** What one invocation did: {@code enqueued} with its records, {@code overflow}, or {@code refused} and why. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RelayResult(
            @JsonProperty("outcome") String outcome,
            @JsonProperty("records") int records,
            @JsonProperty("tenant") String tenant,
            @JsonProperty("reason") String reason) {
    }

    @Inject
    EventRelayService relay;

    @Funq("relay")
    public RelayResult relay(JsonNode event) {
        EventRelayService.Relayed relayed = relay.relay(event);
        return new RelayResult(relayed.outcome(), relayed.records(), relayed.tenant(), relayed.reason());
    }
}
