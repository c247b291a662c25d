package io.loopfree.sync.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.loopfree.sync.local.DemoSystems;
import io.loopfree.sync.local.LocalEngine;
import io.loopfree.sync.local.sandbox.SandboxAudit;
import io.loopfree.sync.local.sandbox.SandboxProvider;
import io.loopfree.sync.support.SyncResources;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * One scenario's bookkeeping on the local engine and one tenant's systems (the demo's, or a scenario tenant's): what
 * the systems and the processor did since it began; termination (quiet), convergence of the tracked fields, the
 * ledger of outcomes, and the one line of figures every scenario prints. Shared by the scenario ITs and the storm
 * benchmark.
 * <p>
 * Whether the engine converged <b>right</b> is judged from the systems' own records and audit logs, never from the
 * engine's ledger: {@code duplicates_created} (records the engine created beside the one a system already had),
 * {@code double_sends} (engine requests that repeated an idempotency key already sent, or that changed nothing),
 * {@code latest_edit_won} (records whose every edited field holds, in every system, the value of the latest human
 * edit of that field by the providers' own clocks) and {@code conflicts} (the conflict items the engine kept for
 * the human values that lost).
 */
public final class ScenarioRun {

    private static final Pattern OUTCOME = Pattern.compile("outcome=(applied|dropped:([a-z-]+)|failed:[^ ]+)");

    /** One human edit as its system recorded it: the record's canonical key, when (its own clock), what it set. */
    record HumanEdit(String canonicalKey, String system, Instant at, Map<String, String> fields) {
    }

    /** {@code won} of {@code records} edited records hold the latest human edit of every edited field everywhere. */
    public record LatestEditWon(int won, int records) {
        @Override
        public String toString() {
            return won + "/" + records;
        }
    }

    private final LocalEngine engine;
    private final DemoSystems systems;
    private final SqsClient sqs;
    private final String name;
    private final int processorLinesBefore;
    private final Map<String, Integer> writesBefore = new TreeMap<>();
    private final Map<String, Integer> requestsBefore = new TreeMap<>();
    private final Map<String, Integer> webhooksBefore = new TreeMap<>();
    private final Map<String, Set<String>> idsBefore = new TreeMap<>();
    private final int conflictsBefore;
    private final Instant started = Instant.now();
    private final List<Instant> humanEdits = new ArrayList<>();
    private final List<HumanEdit> edits = new ArrayList<>();
    private Instant lastEdit = Instant.now();
    private long quietAfterMillis;

    /** A scenario on the demo tenant's systems. */
    public ScenarioRun(String name, LocalEngine engine, SqsClient sqs) {
        this(name, engine, engine.demo().orElseThrow(), sqs);
    }

    /** A scenario on one tenant's systems ({@link LocalEngine#startSystems}). */
    public ScenarioRun(String name, LocalEngine engine, DemoSystems systems, SqsClient sqs) {
        this.engine = engine;
        this.systems = systems;
        this.sqs = sqs;
        this.name = name;
        this.processorLinesBefore = engine.output("processor").size();
        for (SandboxProvider sandbox : systems.all()) {
            String system = sandbox.config().system();
            writesBefore.put(system, engineWrites(sandbox).size());
            requestsBefore.put(system, sandbox.audit().writes().size());
            webhooksBefore.put(system, sandbox.audit().webhooks().size());
            idsBefore.put(system, sandbox.records("contact").stream().map(r -> r.path("id").asText())
                    .collect(java.util.stream.Collectors.toSet()));
        }
        this.conflictsBefore = conflictItems();
    }

    public JsonNode humanCreate(String system, Map<String, ?> fields) {
        ObjectNode created = systems.sandbox(system).humanCreate("contact", fields);
        edited(system, created, fields.keySet());
        return created;
    }

    public JsonNode humanEdit(String system, String id, Map<String, ?> fields) {
        ObjectNode edited = systems.sandbox(system).humanEdit("contact", id, fields);
        edited(system, edited, fields.keySet());
        return edited;
    }

    /**
     * A human edit made outside this class, as {@code system} answered it (the record afterwards): counted for the
     * latencies and for {@code latest_edit_won}.
     */
    public void edited(String system, JsonNode record, Collection<String> editedFields) {
        Contact after = contact(system, record);
        Map<String, String> fields = new TreeMap<>();
        for (String field : editedFields) {
            for (String unified : unifiedNames(system, field)) {
                fields.put(unified, after.field(unified));
            }
        }
        String externalId = record.path("loopfree_id").asText("");
        String canonicalKey = externalId.isBlank() ? system + ":" + record.path("id").asText() : externalId;
        Instant at = Instant.parse(record.path("updated_at").asText());
        synchronized (this) {
            edits.add(new HumanEdit(canonicalKey, system, at, fields));
        }
        edited();
    }

    /** A human edit made outside this class (the latencies are measured from it). */
    public synchronized void edited() {
        lastEdit = Instant.now();
        humanEdits.add(lastEdit);
    }

    /**
     * From now on latencies count from this instant, not from the edits before: for changes that could not travel
     * before (records that existed before the sync, a webhook the provider dropped), the sync starts with the run.
     */
    public synchronized void syncStartsNow() {
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
        if (!systems.quiet()) {
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
        return engineWrites(systems.sandbox(system)).size() - writesBefore.get(system);
    }

    public int writes() {
        return systems.all().stream().mapToInt(s -> writes(s.config().system())).sum();
    }

    public void assertWrites(String system, int expected) {
        assertThat(writes(system)).as("engine writes to " + system).isEqualTo(expected);
    }

    /** Engine writes per record id of {@code system} since the scenario began. */
    public Map<String, Integer> writesPerRecord(String system) {
        List<SandboxAudit.Write> all = engineWrites(systems.sandbox(system));
        Map<String, Integer> perRecord = new TreeMap<>();
        for (SandboxAudit.Write write : all.subList(writesBefore.get(system), all.size())) {
            perRecord.merge(write.recordId(), 1, Integer::sum);
        }
        return perRecord;
    }

    public JsonNode record(String system, String id) {
        return systems.sandbox(system).record("contact", id).orElseThrow();
    }

    public JsonNode byExternalId(String system, String externalId) {
        return systems.sandbox(system).records("contact").stream()
                .filter(r -> externalId.equals(r.path("loopfree_id").asText())).findFirst()
                .orElseThrow(() -> new AssertionError(system + " has no contact with loopfree_id " + externalId));
    }

    /** The tracked fields of a record as the unified contact sees them (email, first and last name, phone). */
    public record Contact(String email, String firstName, String lastName, String phone) {

        String field(String unified) {
            return switch (unified) {
                case "email" -> email;
                case "phone" -> phone;
                case "firstName" -> firstName;
                case "lastName" -> lastName;
                default -> throw new IllegalArgumentException("not a tracked contact field: " + unified);
            };
        }
    }

    /** The unified fields a system's own field sets (the app's one name is first and last name). */
    static List<String> unifiedNames(String system, String field) {
        return switch (field.toLowerCase(java.util.Locale.ROOT)) {
            case "email" -> List.of("email");
            case "phone" -> List.of("phone");
            case "firstname" -> List.of("firstName");
            case "lastname" -> List.of("lastName");
            case "name" -> DemoSystems.APP.equals(system) ? List.of("firstName", "lastName") : List.of();
            default -> List.of();
        };
    }

    /**
     * Convergence of one record created in {@code home} (canonical key {@code <home>:<id>}): the same email and
     * name in all three systems, each in its own field names (the app's single name split at its first space).
     */
    public Contact assertConverged(String home, String id) {
        String canonical = home + ":" + id;
        Map<String, Contact> seen = new TreeMap<>();
        for (SandboxProvider sandbox : systems.all()) {
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
                        space < 0 ? "" : name.substring(space + 1), record.path("phone").asText());
            }
            case DemoSystems.RICH -> {
                return new Contact(record.path("email").asText(), record.path("firstname").asText(),
                        record.path("lastname").asText(), record.path("phone").asText());
            }
            default -> {
                return new Contact(record.path("Email").asText(), record.path("FirstName").asText(),
                        record.path("LastName").asText(), record.path("Phone").asText());
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
        for (SandboxProvider sandbox : systems.all()) {
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
        // the visibility timeout and ends a duplicate; a change of a record whose writes outlast its budget is
        // retried the same way: the two failures that are part of the design
        List<String> allowed = new ArrayList<>(List.of(allowedFailures));
        allowed.add("failed:in-progress-elsewhere");
        allowed.add("failed:record-busy");
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
                + "outbound_writes=%d amplification=%.2f sync_p50_ms=%d sync_p99_ms=%d quiet_after_ms=%d "
                + "duplicates_created=%d double_sends=%d latest_edit_won=%s conflicts=%d", name, edits,
                webhooksSent(), outcomes, writes, edits == 0 ? 0.0 : writes / (2.0 * edits), percentile(latencies, 50),
                percentile(latencies, 99), quietAfterMillis, duplicatesCreated(), doubleSends(), latestEditWon(),
                conflicts());
    }

    /**
     * Records the scenario left in a system beside the one that system already had for the same record: judged by
     * identity, from the systems' own records. A record the engine creates carries our external id (the canonical
     * key: {@code <home system>:<its id there>}), so a record created during the scenario is a second one when its
     * external id names a record of its own system (the upsert that missed the person's record) or another live record
     * of that system carries the same external id. Records people create (no external id) never count, so scenarios
     * that seed records outside this class are judged as well.
     */
    public int duplicatesCreated() {
        int duplicates = 0;
        for (SandboxProvider sandbox : systems.all()) {
            String system = sandbox.config().system();
            String ownKeys = system + ":";
            String externalId = sandbox.config().externalIdProperty();
            List<ObjectNode> live = sandbox.records("contact").stream()
                    .filter(r -> !r.path("deleted").asBoolean(false)).toList();
            Map<String, Integer> perExternalId = new TreeMap<>();
            live.forEach(r -> {
                String key = r.path(externalId).asText("");
                if (!key.isBlank()) {
                    perExternalId.merge(key, 1, Integer::sum);
                }
            });
            for (ObjectNode record : live) {
                String key = record.path(externalId).asText("");
                if (key.isBlank() || idsBefore.get(system).contains(record.path("id").asText())) {
                    continue;
                }
                boolean namesAnotherOfItsSystem = key.startsWith(ownKeys)
                        && !key.equals(ownKeys + record.path("id").asText());
                if (namesAnotherOfItsSystem || perExternalId.get(key) > 1) {
                    duplicates++;
                }
            }
        }
        return duplicates;
    }

    /**
     * Engine write requests since the scenario began that repeated an idempotency key the engine had already sent
     * (a replay the provider answered from its cache still spent quota), or that changed nothing in the record.
     */
    public int doubleSends() {
        int doubles = 0;
        for (SandboxProvider sandbox : systems.all()) {
            List<SandboxAudit.Write> all = sandbox.audit().writes();
            Set<String> keys = new HashSet<>();
            for (SandboxAudit.Write write : all.subList(0, requestsBefore.get(sandbox.config().system()))) {
                if ("engine".equals(write.by()) && write.idempotencyKey() != null) {
                    keys.add(write.idempotencyKey());
                }
            }
            for (SandboxAudit.Write write : all.subList(requestsBefore.get(sandbox.config().system()), all.size())) {
                if (!"engine".equals(write.by()) || write.status() >= 300) {
                    continue;
                }
                boolean repeated = write.idempotencyKey() != null && !keys.add(write.idempotencyKey());
                if (repeated || write.replayed() || !write.changed()) {
                    doubles++;
                }
            }
        }
        return doubles;
    }

    /**
     * Per edited record, per field it had edited: the value of the latest human edit by the providers' own clocks
     * (any of them when two share that instant) — held by every system?
     */
    public LatestEditWon latestEditWon() {
        Map<String, Map<String, List<HumanEdit>>> latest = new TreeMap<>();
        List<HumanEdit> all;
        synchronized (this) {
            all = List.copyOf(edits);
        }
        for (HumanEdit edit : all) {
            for (String field : edit.fields().keySet()) {
                List<HumanEdit> top = latest.computeIfAbsent(edit.canonicalKey(), k -> new TreeMap<>())
                        .computeIfAbsent(field, f -> new ArrayList<>());
                if (!top.isEmpty() && edit.at().isAfter(top.get(0).at())) {
                    top.clear();
                }
                if (top.isEmpty() || !edit.at().isBefore(top.get(0).at())) {
                    top.add(edit);
                }
            }
        }
        int won = 0;
        for (Map.Entry<String, Map<String, List<HumanEdit>>> record : latest.entrySet()) {
            boolean everywhere = true;
            for (SandboxProvider sandbox : systems.all()) {
                Optional<Contact> held = find(sandbox.config().system(), record.getKey());
                for (Map.Entry<String, List<HumanEdit>> field : record.getValue().entrySet()) {
                    Set<String> acceptable = new HashSet<>();
                    field.getValue().forEach(edit -> acceptable.add(edit.fields().get(field.getKey())));
                    everywhere &= held.isPresent() && acceptable.contains(held.get().field(field.getKey()));
                }
            }
            won += everywhere ? 1 : 0;
        }
        return new LatestEditWon(won, latest.size());
    }

    /** The record of {@code canonicalKey} in {@code system}: its own record there, else the one with our external id. */
    private Optional<Contact> find(String system, String canonicalKey) {
        SandboxProvider sandbox = systems.sandbox(system);
        Optional<? extends JsonNode> record = canonicalKey.startsWith(system + ":")
                ? sandbox.record("contact", canonicalKey.substring(system.length() + 1))
                : sandbox.records("contact").stream()
                        .filter(r -> canonicalKey.equals(r.path("loopfree_id").asText())).findFirst();
        return record.map(r -> contact(system, r));
    }

    /** Conflict items the engine kept for this tenant since the scenario began (human values that lost). */
    public int conflicts() {
        return conflictItems() - conflictsBefore;
    }

    /**
     * The conflict items kept since the scenario began that are not a person's value lost to another person's: each
     * must name, as its loser and as its winner, a human edit this scenario made (its record, field, system, value
     * and time, by the provider's clock), in two different systems, within the item's window of each other.
     * Described, for an assertion's message.
     */
    public List<String> conflictsNotBetweenPeople() {
        List<HumanEdit> all;
        synchronized (this) {
            all = List.copyOf(edits);
        }
        List<String> strays = new ArrayList<>();
        try (DynamoDbClient dynamo = engine.aws().dynamoClient()) {
            dynamo.queryPaginator(b -> b.tableName(SyncResources.STATE_TABLE).consistentRead(true)
                    .keyConditionExpression("pk = :conflicts")
                    .expressionAttributeValues(Map.of(":conflicts", AttributeValue.fromS("CONFLICT#" + systems.tenant()))))
                    .items().stream()
                    .filter(item -> !Instant.parse(item.get("detectedAt").s()).isBefore(started))
                    .forEach(item -> {
                        String record = item.get("canonicalKey").s();
                        String field = item.get("field").s();
                        Map<String, AttributeValue> loser = item.get("loser").m();
                        Map<String, AttributeValue> winner = item.get("winner").m();
                        boolean between = madeBy(all, record, field, loser) && madeBy(all, record, field, winner)
                                && !loser.get("system").s().equals(winner.get("system").s())
                                && Duration.between(Instant.parse(loser.get("occurredAt").s()),
                                        Instant.parse(winner.get("occurredAt").s())).abs()
                                        .compareTo(Duration.ofSeconds(Long.parseLong(item.get("windowSeconds").n()))) <= 0;
                        if (!between) {
                            strays.add(item.get("sk").s() + " loser=" + loser + " winner=" + winner);
                        }
                    });
        }
        return strays;
    }

    private static boolean madeBy(List<HumanEdit> edits, String record, String field, Map<String, AttributeValue> side) {
        AttributeValue value = side.get("value");
        AttributeValue occurredAt = side.get("occurredAt");
        return value != null && value.s() != null && occurredAt != null && edits.stream().anyMatch(edit ->
                edit.canonicalKey().equals(record) && edit.system().equals(side.get("system").s())
                        && edit.at().equals(Instant.parse(occurredAt.s())) && value.s().equals(edit.fields().get(field)));
    }

    /** A tenant's conflicts are one partition ({@code pk=CONFLICT#<tenant>}, docs/dynamodb.md): one Query. */
    private int conflictItems() {
        try (DynamoDbClient dynamo = engine.aws().dynamoClient()) {
            return (int) dynamo.queryPaginator(b -> b.tableName(SyncResources.STATE_TABLE).consistentRead(true)
                    .keyConditionExpression("pk = :conflicts")
                    .expressionAttributeValues(Map.of(":conflicts", AttributeValue.fromS("CONFLICT#" + systems.tenant())))
                    .projectionExpression("pk")).items().stream().count();
        }
    }

    /** From each human edit to each engine write that followed it in another system (by the sandboxes' clocks). */
    private List<Long> latencies() {
        List<Long> latencies = new ArrayList<>();
        List<SandboxAudit.Write> writes = new ArrayList<>();
        for (SandboxProvider sandbox : systems.all()) {
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
