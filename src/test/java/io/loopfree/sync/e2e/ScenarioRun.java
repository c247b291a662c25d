package io.loopfree.sync.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.loopfree.sync.local.DemoSystems;
import io.loopfree.sync.local.LocalEngine;
import io.loopfree.sync.local.sandbox.SandboxAudit;
import io.loopfree.sync.local.sandbox.SandboxProvider;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * One scenario's bookkeeping on the local engine and the demo systems: what the systems and the processor did since
 * it began; termination (quiet), convergence of the tracked fields, the ledger of outcomes, and the one line of
 * figures every scenario prints (issue 11). Shared by the scenario ITs and the storm benchmark.
 */
public final class ScenarioRun {

    private static final Pattern OUTCOME = Pattern.compile("outcome=(applied|dropped:([a-z-]+)|failed:[^ ]+)");

    private final LocalEngine engine;
    private final DemoSystems demo;
    private final SqsClient sqs;
    private final String name;
    private final int processorLinesBefore;
    private final Map<String, Integer> writesBefore = new TreeMap<>();
    private final Map<String, Integer> webhooksBefore = new TreeMap<>();
    private final List<Instant> humanEdits = new ArrayList<>();
    private Instant lastEdit = Instant.now();
    private long quietAfterMillis;

    public ScenarioRun(String name, LocalEngine engine, SqsClient sqs) {
        this.engine = engine;
        this.demo = engine.demo().orElseThrow();
        this.sqs = sqs;
        this.name = name;
        this.processorLinesBefore = engine.output("processor").size();
        for (SandboxProvider sandbox : demo.all()) {
            writesBefore.put(sandbox.config().system(), engineWrites(sandbox).size());
            webhooksBefore.put(sandbox.config().system(), sandbox.audit().webhooks().size());
        }
    }

    public JsonNode humanCreate(String system, Map<String, ?> fields) {
        ObjectNode created = demo.sandbox(system).humanCreate("contact", fields);
        edited();
        return created;
    }

    public void humanEdit(String system, String id, Map<String, ?> fields) {
        demo.sandbox(system).humanEdit("contact", id, fields);
        edited();
    }

    /** A human edit made outside this class (the latencies are measured from it). */
    public void edited() {
        lastEdit = Instant.now();
        humanEdits.add(lastEdit);
    }

    /**
     * From now on latencies count from this instant, not from the edits before: for changes that could not travel
     * before (records that existed before the sync, a webhook the provider dropped), the sync starts with the run.
     */
    public void syncStartsNow() {
        humanEdits.clear();
        edited();
    }

    /** Termination: no webhook left to send, the queue empty, nothing in flight — for a whole second. */
    public void awaitQuiet() {
        awaitQuiet(Duration.ofSeconds(90));
    }

    public void awaitQuiet(Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(100)).during(Duration.ofSeconds(1)).until(this::quiet);
        quietAfterMillis = Duration.between(lastEdit, Instant.now()).toMillis() - 1000;
    }

    public boolean quiet() {
        if (!demo.quiet()) {
            return false;
        }
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b
                .queueUrl(engine.queues().queueUrl()).attributeNames(
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return "0".equals(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                && "0".equals(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    /** Engine writes to {@code system} since the scenario began (replays of an idempotency key are no writes). */
    public int writes(String system) {
        return engineWrites(demo.sandbox(system)).size() - writesBefore.get(system);
    }

    public int writes() {
        return demo.all().stream().mapToInt(s -> writes(s.config().system())).sum();
    }

    public void assertWrites(String system, int expected) {
        assertThat(writes(system)).as("engine writes to " + system).isEqualTo(expected);
    }

    /** Engine writes per record id of {@code system} since the scenario began. */
    public Map<String, Integer> writesPerRecord(String system) {
        List<SandboxAudit.Write> all = engineWrites(demo.sandbox(system));
        Map<String, Integer> perRecord = new TreeMap<>();
        for (SandboxAudit.Write write : all.subList(writesBefore.get(system), all.size())) {
            perRecord.merge(write.recordId(), 1, Integer::sum);
        }
        return perRecord;
    }

    public JsonNode record(String system, String id) {
        return demo.sandbox(system).record("contact", id).orElseThrow();
    }

    public JsonNode byExternalId(String system, String externalId) {
        return demo.sandbox(system).records("contact").stream()
                .filter(r -> externalId.equals(r.path("loopfree_id").asText())).findFirst()
                .orElseThrow(() -> new AssertionError(system + " has no contact with loopfree_id " + externalId));
    }

    /** The tracked fields of a record as the unified contact sees them (email, first name, last name). */
    public record Contact(String email, String firstName, String lastName) {
    }

    /**
     * Convergence of one record created in {@code home} (canonical key {@code <home>:<id>}): the same email and
     * name in all three systems, each in its own field names (the app's single name split at its first space).
     */
    public Contact assertConverged(String home, String id) {
        String canonical = home + ":" + id;
        Map<String, Contact> seen = new TreeMap<>();
        for (SandboxProvider sandbox : demo.all()) {
            String system = sandbox.config().system();
            JsonNode record = system.equals(home) ? record(system, id) : byExternalId(system, canonical);
            seen.put(system, contact(system, record));
        }
        Contact expected = seen.get(home);
        assertThat(seen.values()).as("tracked fields of " + canonical + " in every system").containsOnly(expected);
        return expected;
    }

    static Contact contact(String system, JsonNode record) {
        switch (system) {
            case DemoSystems.APP -> {
                String name = record.path("name").asText();
                int space = name.indexOf(' ');
                return new Contact(record.path("email").asText(), space < 0 ? name : name.substring(0, space),
                        space < 0 ? "" : name.substring(space + 1));
            }
            case DemoSystems.RICH -> {
                return new Contact(record.path("email").asText(), record.path("firstname").asText(),
                        record.path("lastname").asText());
            }
            default -> {
                return new Contact(record.path("Email").asText(), record.path("FirstName").asText(),
                        record.path("LastName").asText());
            }
        }
    }

    /** Outcomes by layer since the scenario began, from the processor's one line per message. */
    public Map<String, Integer> dropped() {
        Map<String, Integer> dropped = new TreeMap<>();
        List<String> lines = engine.output("processor");
        for (String line : lines.subList(Math.min(processorLinesBefore, lines.size()), lines.size())) {
            Matcher outcome = OUTCOME.matcher(line);
            if (line.contains("processed ") && outcome.find()) {
                dropped.merge(outcome.group(2) == null ? outcome.group(1) : outcome.group(2), 1, Integer::sum);
            }
        }
        return dropped;
    }

    /** Webhooks the sandboxes sent since the scenario began (dropped ones are not sent). */
    public int webhooksSent() {
        int webhooks = 0;
        for (SandboxProvider sandbox : demo.all()) {
            webhooks += (int) sandbox.audit().webhooks().stream().skip(webhooksBefore.get(sandbox.config().system()))
                    .filter(w -> "sent".equals(w.delivery()) || "duplicate".equals(w.delivery())).count();
        }
        return webhooks;
    }

    /**
     * Asserts no failure for good and no loss in the ledger (every webhook the sandboxes sent ended applied or
     * dropped), and prints the figures; amplification is the writes per edit per target (two targets per edit).
     *
     * @param allowedFailures transient failures the scenario causes on purpose (e.g. {@code failed:in-progress-elsewhere})
     * @return the figures line
     */
    public String finish(int edits, String... allowedFailures) {
        Map<String, Integer> outcomes = dropped();
        int webhooks = webhooksSent();
        int processed = outcomes.entrySet().stream().filter(e -> !e.getKey().startsWith("failed"))
                .mapToInt(Map.Entry::getValue).sum();
        // a duplicate delivery taken by the other instance while the first holds the event fails, is retried after
        // the visibility timeout and ends a duplicate: the one failure that is part of the design
        List<String> allowed = new ArrayList<>(List.of(allowedFailures));
        allowed.add("failed:in-progress-elsewhere");
        assertThat(outcomes.keySet()).as("no message failed for good")
                .allMatch(k -> !k.startsWith("failed") || allowed.stream().anyMatch(k::startsWith));
        assertThat(processed).as("every webhook the systems sent is accounted for").isGreaterThanOrEqualTo(webhooks);
        String figures = figures(edits);
        System.out.println(figures);
        return figures;
    }

    /** The scenario's line of figures (issue 11), without asserting anything. */
    public String figures(int edits) {
        Map<String, Integer> outcomes = dropped();
        int writes = writes();
        List<Long> latencies = latencies();
        return String.format(java.util.Locale.ROOT, "scenario=%s edits=%d webhooks=%d dropped_by_layer=%s "
                + "outbound_writes=%d amplification=%.2f sync_p50_ms=%d sync_p99_ms=%d quiet_after_ms=%d", name, edits,
                webhooksSent(), outcomes, writes, edits == 0 ? 0.0 : writes / (2.0 * edits), percentile(latencies, 50),
                percentile(latencies, 99), quietAfterMillis);
    }

    /** From each human edit to each engine write that followed it in another system (by the sandboxes' clocks). */
    private List<Long> latencies() {
        List<Long> latencies = new ArrayList<>();
        List<SandboxAudit.Write> writes = new ArrayList<>();
        for (SandboxProvider sandbox : demo.all()) {
            List<SandboxAudit.Write> own = engineWrites(sandbox);
            writes.addAll(own.subList(writesBefore.get(sandbox.config().system()), own.size()));
        }
        for (SandboxAudit.Write write : writes) {
            Instant at = Instant.parse(write.at());
            humanEdits.stream().filter(edit -> !edit.isAfter(at)).reduce((a, b) -> b)
                    .ifPresent(edit -> latencies.add(Duration.between(edit, at).toMillis()));
        }
        return latencies;
    }

    static long percentile(List<Long> values, int p) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    static List<SandboxAudit.Write> engineWrites(SandboxProvider sandbox) {
        // a replay of an idempotency key is no write (the sandbox answered it from its replay cache)
        return sandbox.audit().writes().stream()
                .filter(w -> "engine".equals(w.by()) && w.status() < 300 && !w.replayed()).toList();
    }
}
