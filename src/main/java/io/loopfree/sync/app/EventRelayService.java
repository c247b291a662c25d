package io.loopfree.sync.app;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.relay.RelayedChangeEvent;
import io.loopfree.sync.domain.text.Untrusted;
import io.loopfree.sync.ports.EnvelopeQueue;

/**
 * Salesforce Change Data Capture events relayed by Amazon EventBridge (Salesforce Event Relay) onto the processing
 * queue: each event split into one envelope per record ({@link RelayedChangeEvent}), enqueued in as few requests as
 * the queue allows. Like the ingress it does no normalization and no DynamoDB work: the processor maps the
 * envelopes through the system's mapping, whose change-agent layer drops our own writes' echoes. A queue failure
 * throws, so that the invocation is retried (Lambda's asynchronous retries, then the relay's on-failure
 * destination); a refused event is answered and counted, never retried.
 */
@ApplicationScoped
public class EventRelayService {

    private static final Logger LOG = Logger.getLogger(EventRelayService.class);

    /** What became of one relayed event. @param records the records enqueued (one message each) */
    public record Relayed(String outcome, int records, String tenant, String reason) {
    }

    private final EnvelopeQueue queue;
    private final Clock clock;
    private final SyncMetrics metrics;
    private final String system;
    /** org id (15 characters: the 18-character form's case-sensitive prefix) -> tenant */
    private final Map<String, String> tenants;

    public EventRelayService(EnvelopeQueue queue, Clock clock, SyncMetrics metrics, SyncConfig config) {
        this.queue = queue;
        this.clock = clock;
        this.metrics = metrics;
        this.system = config.relay().system();
        this.tenants = tenants(config.relay().tenants().orElse(List.of()));
    }

    static Map<String, String> tenants(List<String> entries) {
        Map<String, String> tenants = new LinkedHashMap<>();
        for (String entry : entries) {
            String[] parts = entry.trim().split("=", 2);
            if (parts.length != 2 || parts[0].trim().length() < 15) {
                throw new IllegalArgumentException("sync.relay.tenants takes <orgId>=<tenant> entries, got '"
                        + Untrusted.text(entry, 60) + "'");
            }
            tenants.put(parts[0].trim().substring(0, 15), parts[1].trim().toLowerCase(Locale.ROOT));
        }
        return Map.copyOf(tenants);
    }

    public Relayed relay(JsonNode event) {
        RelayedChangeEvent.Split split = RelayedChangeEvent.split(system, event, this::tenant, clock.instant());
        Relayed relayed;
        if (split instanceof RelayedChangeEvent.Envelopes envelopes) {
            queue.sendAll(envelopes.envelopes());
            relayed = new Relayed("enqueued", envelopes.envelopes().size(), envelopes.tenant(), null);
        } else if (split instanceof RelayedChangeEvent.Overflow overflow) {
            LOG.warnf("relayed overflow event for %s of tenant %s: no record ids; the reconciler's listing finds its"
                    + " records", overflow.entityName(), overflow.tenant());
            relayed = new Relayed("overflow", 0, overflow.tenant(), null);
        } else {
            String reason = ((RelayedChangeEvent.Refused) split).reason();
            LOG.warnf("relayed event refused: %s", reason);
            relayed = new Relayed("refused", 0, null, reason);
        }
        metrics.relayed(system, relayed.outcome(), relayed.records());
        return relayed;
    }

    private Optional<String> tenant(String orgId) {
        return Optional.ofNullable(orgId.length() < 15 ? null : tenants.get(orgId.substring(0, 15)));
    }
}
