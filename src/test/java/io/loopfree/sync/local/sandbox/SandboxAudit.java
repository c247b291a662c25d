package io.loopfree.sync.local.sandbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What happened, for people and tests: every write request to {@code /api} (by whom, which fields, with which
 * change agent and idempotency key, what it answered, whether it was a replay) and every webhook delivery attempt.
 * Request-derived text is bounded and escaped before it is kept. Thread-safe.
 */
public final class SandboxAudit {

    /**
     * One write request.
     *
     * @param by {@code engine} or {@code human:<name>}
     * @param fields the field names the request wrote (read-only fields it sent are not among them)
     * @param status the HTTP status it was answered with (429, 401, 404… are audited too: they wrote nothing)
     * @param replayed true when an Idempotency-Key replay answered it without writing
     * @param changed true when the record's fields differ afterwards (a create, or a value that changed); a write
     *        that changed nothing spent the provider's quota for nothing
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Write(String at, String by, String method, String resource, String recordId, List<String> fields,
            String changeAgent, String idempotencyKey, int status, boolean replayed, boolean changed) {
    }

    /**
     * One webhook delivery attempt.
     *
     * @param delivery {@code sent} (an HTTP answer came back, see httpStatus), {@code failed} (no answer: connection
     *        error or timeout), {@code dropped} (a control said so), {@code duplicate} (an extra delivery of an
     *        event already sent, same event id)
     * @param httpStatus the receiver's status, null when there was none
     * @param attempt 1 for the first attempt, up to 4 with the 3 retries
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Webhook(String at, String eventId, String type, String recordId, String delivery, Integer httpStatus,
            int attempt) {
    }

    /** A consistent copy of the audit. */
    public record Snapshot(List<Write> writes, List<Webhook> webhooks) {

        public Snapshot {
            writes = List.copyOf(writes);
            webhooks = List.copyOf(webhooks);
        }

        /** Only what concerns one record. */
        public Snapshot forRecord(String recordId) {
            return new Snapshot(writes.stream().filter(w -> Objects.equals(w.recordId(), recordId)).toList(),
                    webhooks.stream().filter(w -> Objects.equals(w.recordId(), recordId)).toList());
        }
    }

    private final List<Write> writes = new ArrayList<>();
    private final List<Webhook> webhooks = new ArrayList<>();

    synchronized void write(Write write) {
        writes.add(new Write(write.at(), SafeText.of(write.by()), write.method(), SafeText.of(write.resource()),
                SafeText.of(write.recordId()), write.fields().stream().map(SafeText::of).toList(),
                SafeText.of(write.changeAgent()), SafeText.of(write.idempotencyKey()), write.status(), write.replayed(),
                write.changed()));
    }

    synchronized void webhook(Webhook webhook) {
        webhooks.add(webhook);
    }

    public synchronized Snapshot snapshot() {
        return new Snapshot(writes, webhooks);
    }

    synchronized void clear() {
        writes.clear();
        webhooks.clear();
    }
}
