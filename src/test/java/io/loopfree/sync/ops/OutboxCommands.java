package io.loopfree.sync.ops;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

@Command(name = "outbox", description = "Pending, held and failed outbound writes of one account",
        subcommands = { OutboxCommands.ListWrites.class, OutboxCommands.Approve.class, OutboxCommands.Retry.class })
final class OutboxCommands {

    @ParentCommand
    LoopfreeOps root;

    @Command(name = "list", description = "List an account's outbound writes (pending, held, failed)")
    static final class ListWrites implements Callable<Integer> {
        @ParentCommand OutboxCommands parent;
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0") String tenant;
        @Parameters(index = "1") String system;
        @Parameters(index = "2") String account;
        @Option(names = "--status", description = "only pending | held | failed") String status;

        @Override
        public Integer call() {
            try (OpsContext ops = parent.root.context(spec.commandLine().getOut())) {
                String pk = "OUTBOX#" + tenant + "#" + system + "#" + account;
                ops.out.printf("%-8s %-40s %-7s %-8s %-24s %s%n", "STATUS", "RECORD (resource#canonicalKey)", "ACTION",
                        "ATTEMPTS", "UPDATED", "LAST ERROR");
                int count = 0;
                for (Map<String, AttributeValue> item : ops.dynamo().queryPaginator(b -> b.tableName(ops.stateTable)
                        .keyConditionExpression("pk = :pk").expressionAttributeValues(Map.of(":pk",
                                AttributeValue.fromS(pk))).consistentRead(true)).items()) {
                    String itemStatus = OpsItemMapper.text(item, "status");
                    if (status != null && !status.equals(itemStatus)) {
                        continue;
                    }
                    count++;
                    ops.out.printf("%-8s %-40s %-7s %-8s %-24s %s%n", itemStatus, OpsItemMapper.text(item, "sk"),
                            OpsItemMapper.text(item, "action"), OpsItemMapper.text(item, "attempts"),
                            OpsItemMapper.text(item, "updatedAt"), nonNull(OpsItemMapper.text(item, "lastError")));
                }
                ops.out.println(count + " write(s) in " + pk);
            }
            return 0;
        }
    }

    /** held → pending: an operator lets a held delete go. */
    @Command(name = "approve", description = "Approve a held write (held -> pending); audited")
    static final class Approve extends Transition {
        Approve() {
            super("held");
        }
    }

    /** failed → pending, attempts reset: after the cause (a 4xx) is fixed. */
    @Command(name = "retry", description = "Retry a failed write (failed -> pending, attempts 0); audited")
    static final class Retry extends Transition {
        Retry() {
            super("failed");
        }
    }

    abstract static class Transition implements Callable<Integer> {
        @ParentCommand OutboxCommands parent;
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0") String tenant;
        @Parameters(index = "1") String system;
        @Parameters(index = "2") String account;
        @Parameters(index = "3", description = "resource#canonicalKey, as outbox list shows it") String write;
        @Option(names = "--why", required = true, description = "why (kept in the audit item)") String why;

        private final String from;

        Transition(String from) {
            this.from = from;
        }

        @Override
        public Integer call() {
            try (OpsContext ops = parent.root.context(spec.commandLine().getOut())) {
                String pk = "OUTBOX#" + tenant + "#" + system + "#" + account;
                Map<String, AttributeValue> key = Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS(write));
                Map<String, AttributeValue> item = ops.dynamo().getItem(b -> b.tableName(ops.stateTable).key(key)
                        .consistentRead(true)).item();
                if (item == null || item.isEmpty()) {
                    throw new OpsContext.OpsException("no outbound write " + pk + " / " + write);
                }
                String status = OpsItemMapper.text(item, "status");
                if (!from.equals(status)) {
                    throw new OpsContext.OpsException(pk + " / " + write + " is " + status + ", not " + from);
                }
                String token = OpsItemMapper.text(item, "writeToken");
                java.time.Instant now = ops.clock.instant();
                String update = "SET #status = :pending, updatedAt = :now"
                        + ("failed".equals(from) ? ", attempts = :zero REMOVE lastError" : "");
                Map<String, AttributeValue> values = new java.util.HashMap<>(Map.of(":pending", AttributeValue.fromS("pending"),
                        ":from", AttributeValue.fromS(from), ":token", AttributeValue.fromS(token),
                        ":now", AttributeValue.fromS(now.toString())));
                if ("failed".equals(from)) {
                    values.put(":zero", AttributeValue.fromN("0"));
                }
                OpsItemMapper.Audit audit = new OpsItemMapper.Audit(UUID.randomUUID().toString(), now, ops.who,
                        "outbox " + spec.name(), ops.stateTable + ":" + pk + " / " + write, why,
                        "status=" + from + " writeToken=" + token, "status=pending");
                try {
                    ops.dynamo().transactWriteItems(b -> b.transactItems(List.of(
                            TransactWriteItem.builder().update(u -> u.tableName(ops.stateTable).key(key)
                                    .updateExpression(update)
                                    .conditionExpression("#status = :from AND writeToken = :token")
                                    .expressionAttributeNames(Map.of("#status", "status"))
                                    .expressionAttributeValues(values)).build(),
                            TransactWriteItem.builder().put(p -> p.tableName(ops.stateTable)
                                    .item(OpsItemMapper.auditItem(audit))
                                    .conditionExpression("attribute_not_exists(pk)")).build())));
                } catch (TransactionCanceledException e) {
                    throw new OpsContext.OpsException(pk + " / " + write + " changed since it was read (the processor "
                            + "sent or replaced it): nothing done; list it again");
                }
                ops.out.println(pk + " / " + write + ": " + from + " -> pending (audit "
                        + OpsItemMapper.auditItem(audit).get("pk").s() + " / " + OpsItemMapper.auditItem(audit).get("sk").s() + ")");
            }
            return 0;
        }
    }

    static String nonNull(String value) {
        return value == null ? "" : value;
    }
}
