package io.loopfree.sync.ops;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

import io.loopfree.sync.adapters.dynamodb.ConflictItemMapper;
import io.loopfree.sync.domain.conflict.Conflict;
import io.loopfree.sync.domain.conflict.ConflictResolution;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.domain.envelope.EnvelopeCodec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * People's values that lost to another person's value (docs/operations.md, "Conflicts"): the conflict items the
 * processor keeps ({@code pk=CONFLICT#<tenant>}, {@link ConflictItemMapper}), listed, shown, and resolved with a
 * chosen value. A resolution decides nothing about sync here: in one transaction with its audit item the conflicts
 * become {@code resolving} with the operator's decision, then the decision goes on the processing queue
 * ({@link ConflictResolution}), where the processor applies it like a change that wins as the newest, writes it to
 * every system that differs and marks the conflicts {@code resolved}.
 */
@Command(name = "conflicts", description = "People's values that lost to another person's: list, show, resolve",
        subcommands = { ConflictCommands.ListConflicts.class, ConflictCommands.Show.class,
            ConflictCommands.Resolve.class })
final class ConflictCommands {

    @ParentCommand
    LoopfreeOps root;

    static List<Map<String, AttributeValue>> query(OpsContext ops, String tenant, String prefix) {
        Map<String, AttributeValue> values = new java.util.HashMap<>(Map.of(":pk",
                AttributeValue.fromS(Conflict.partitionKey(tenant))));
        String condition = "pk = :pk";
        if (prefix != null) {
            condition += " AND begins_with(sk, :prefix)";
            values.put(":prefix", AttributeValue.fromS(prefix));
        }
        String keyCondition = condition;
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        ops.dynamo().queryPaginator(b -> b.tableName(ops.stateTable).keyConditionExpression(keyCondition)
                .expressionAttributeValues(values).consistentRead(true)).items().forEach(items::add);
        return items;
    }

    static String side(Conflict.Side side) {
        return side.system() + "=" + side.value() + (side.occurredAt() == null ? "" : "@" + side.occurredAt());
    }

    @Command(name = "list", description = "List a tenant's conflicts (default: the open ones)")
    static final class ListConflicts implements Callable<Integer> {
        @ParentCommand ConflictCommands parent;
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0", description = "tenant") String tenant;
        @Option(names = "--status", defaultValue = "open", description = "open | resolving | resolved | all")
        String status;
        @Option(names = "--resource", description = "only this resource") String resource;

        @Override
        public Integer call() {
            try (OpsContext ops = parent.root.context(spec.commandLine().getOut())) {
                ops.out.printf("%-9s %-28s %-12s %-15s %-50s %s%n", "STATUS", "RECORD (resource#canonicalKey)",
                        "FIELD", "RULE", "LOST (system=value@time)", "WON");
                int count = 0;
                for (Map<String, AttributeValue> item : query(ops, tenant,
                        resource == null ? null : resource + "#")) {
                    String itemStatus = OpsItemMapper.text(item, ConflictItemMapper.STATUS);
                    if (!"all".equals(status) && !status.equals(itemStatus)) {
                        continue;
                    }
                    Conflict conflict = ConflictItemMapper.fromItem(item);
                    count++;
                    ops.out.printf("%-9s %-28s %-12s %-15s %-50s %s%n", itemStatus, conflict.record().resource() + "#"
                            + conflict.record().canonicalKey(), conflict.field(), conflict.rule(),
                            side(conflict.loser()), side(conflict.winner()));
                }
                ops.out.println(count + " conflict(s) in " + Conflict.partitionKey(tenant)
                        + ("all".equals(status) ? "" : " with status " + status));
            }
            return 0;
        }
    }

    @Command(name = "show", description = "Show a record's conflicts (or one field's) as stored, with both values")
    static final class Show implements Callable<Integer> {
        @ParentCommand ConflictCommands parent;
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0") String tenant;
        @Parameters(index = "1") String resource;
        @Parameters(index = "2", description = "canonical key (as `conflicts list` shows it)") String canonicalKey;
        @Parameters(index = "3", arity = "0..1", description = "unified field") String field;

        @Override
        public Integer call() throws Exception {
            try (OpsContext ops = parent.root.context(spec.commandLine().getOut())) {
                List<Map<String, AttributeValue>> items = query(ops, tenant, field == null
                        ? Conflict.recordPrefix(resource, canonicalKey)
                        : Conflict.fieldPrefix(resource, canonicalKey, field));
                if (items.isEmpty()) {
                    throw new OpsContext.OpsException("no conflict for " + resource + "#" + canonicalKey
                            + (field == null ? "" : " field " + field) + " in " + Conflict.partitionKey(tenant));
                }
                var array = OpsItemMapper.JSON.createArrayNode();
                items.forEach(item -> array.add(OpsItemMapper.toJson(item)));
                ops.out.println(OpsItemMapper.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(array));
            }
            return 0;
        }
    }

    /**
     * Settles a field's open conflicts with a chosen value: one transaction (the conflicts {@code open →
     * resolving} with the decision, and the audit item), then the decision on the processing queue. A decision
     * whose message could not be sent stays {@code resolving}: run the command again.
     */
    @Command(name = "resolve", description = "Write a chosen value of a field everywhere, settling its conflicts; audited")
    static final class Resolve implements Callable<Integer> {
        @ParentCommand ConflictCommands parent;
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0") String tenant;
        @Parameters(index = "1") String resource;
        @Parameters(index = "2") String canonicalKey;
        @Parameters(index = "3", description = "unified field") String field;
        @Option(names = "--value", required = true,
                description = "the chosen value (typed like the conflict's values: text, number or true/false)")
        String value;
        @Option(names = "--why", required = true, description = "why (kept in the audit item)") String why;

        @Override
        public Integer call() {
            try (OpsContext ops = parent.root.context(spec.commandLine().getOut())) {
                if (ops.queueUrl == null) {
                    throw new OpsContext.OpsException("give the processing queue: --queue-url (or SYNC_QUEUE_URL)");
                }
                String prefix = Conflict.fieldPrefix(resource, canonicalKey, field);
                List<Map<String, AttributeValue>> items = query(ops, tenant, prefix).stream()
                        .filter(item -> ConflictItemMapper.status(item) != Conflict.Status.resolved).toList();
                if (items.isEmpty()) {
                    throw new OpsContext.OpsException("no open conflict for " + prefix + " in "
                            + Conflict.partitionKey(tenant) + ": nothing done");
                }
                List<Conflict> conflicts = items.stream().map(ConflictItemMapper::fromItem).toList();
                Object chosen = typed(value, conflicts.get(0));
                Instant at = ops.clock.instant();
                ConflictResolution resolution = new ConflictResolution(tenant, resource, canonicalKey, field, chosen,
                        UUID.randomUUID().toString(), ops.who, why, at,
                        items.stream().map(item -> OpsItemMapper.text(item, "sk")).toList());
                ConflictItemMapper.Resolution decision = new ConflictItemMapper.Resolution(resolution.id(), chosen,
                        ops.who, why, at);
                List<TransactWriteItem> changes = new ArrayList<>();
                for (String sk : resolution.conflicts()) {
                    changes.add(TransactWriteItem.builder().update(ConflictItemMapper.resolving(ops.stateTable,
                            tenant, sk, decision)).build());
                }
                String before = conflicts.stream().map(c -> side(c.loser()) + " lost to " + side(c.winner()))
                        .reduce((a, b) -> a + "; " + b).orElse("");
                String audit = SafetyValveCommands.audited(ops, changes, "conflicts resolve",
                        Conflict.partitionKey(tenant) + " / " + prefix, why, before, field + "=" + chosen,
                        prefix + ": a conflict changed since it was read (resolved meanwhile?); list it again");
                Envelope envelope = resolution.envelope();
                try {
                    ops.sqs().sendMessage(b -> b.queueUrl(ops.queueUrl).messageBody(EnvelopeCodec.encode(envelope))
                            .messageAttributes(Map.of("system", text(envelope.system()), "tenant",
                                    text(envelope.tenant()), "eventId", text(envelope.eventId()))));
                } catch (RuntimeException e) {
                    throw new OpsContext.OpsException(conflicts.size() + " conflict(s) marked resolving (" + audit
                            + "), but the chosen value could not be queued (" + e.getMessage()
                            + "): run the command again");
                }
                ops.out.println(prefix + ": " + conflicts.size() + " conflict(s) resolving with " + field + "="
                        + chosen + " (" + audit + "); the processor writes it to every system and marks them resolved");
            }
            return 0;
        }

        private static MessageAttributeValue text(String value) {
            return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
        }

        /** The chosen value in the type the field's values have (text when they say nothing). */
        static Object typed(String text, Conflict conflict) {
            Object sample = conflict.winner().value() != null ? conflict.winner().value() : conflict.loser().value();
            if (sample instanceof Boolean) {
                if (!text.equals("true") && !text.equals("false")) {
                    throw new OpsContext.OpsException(conflict.field() + " is true or false, not '" + text + "'");
                }
                return Boolean.parseBoolean(text);
            }
            if (sample instanceof Number) {
                try {
                    BigDecimal number = new BigDecimal(text.strip());
                    return number.signum() == 0 ? BigDecimal.ZERO : number.stripTrailingZeros();
                } catch (NumberFormatException e) {
                    throw new OpsContext.OpsException(conflict.field() + " is a number, not '" + text + "'");
                }
            }
            return text;
        }
    }
}
