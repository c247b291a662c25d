package io.loopfree.sync.app;

import org.jboss.logging.MDC;

import io.loopfree.sync.domain.outbound.OutboundResponse;
import io.loopfree.sync.domain.outbound.OutboundWrite;
import io.loopfree.sync.domain.text.Untrusted;

/**
 * The structured fields of one {@code outbound …} log line (MDC, written as JSON fields by the JSON log lines):
 * {@code targetSystem}, {@code account}, {@code resource}, {@code canonicalKey}, {@code action}, {@code status},
 * {@code result}, {@code latencyMs}, {@code correlationId}. Never the request or response body, never a token.
 * The inbound message's own fields ({@code eventId}, {@code system}, {@code tenant}) stay set around it.
 */
final class OutboundLogFields {

    private static final String[] KEYS = { "targetSystem", "account", "resource", "canonicalKey", "action",
        "status", "result", "outboundLatencyMs", "writeCorrelationId" };

    private OutboundLogFields() {
    }

    static void put(OutboundWrite write, OutboundResponse response, long latencyMs) {
        MDC.put("targetSystem", Untrusted.text(write.target().system(), 64));
        MDC.put("account", Untrusted.text(write.target().account(), 128));
        MDC.put("resource", Untrusted.text(write.resource(), 64));
        MDC.put("canonicalKey", Untrusted.text(write.canonicalKey()));
        MDC.put("action", String.valueOf(write.action()));
        MDC.put("status", Integer.toString(response.status()));
        MDC.put("result", response.getClass().getSimpleName());
        MDC.put("outboundLatencyMs", Long.toString(latencyMs));
        MDC.put("writeCorrelationId", Untrusted.text(write.correlationId()));
    }

    static void clear() {
        for (String key : KEYS) {
            MDC.remove(key);
        }
    }
}
