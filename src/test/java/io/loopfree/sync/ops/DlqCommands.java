package io.loopfree.sync.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

@Command(name = "dlq", description = "Dead-lettered messages: why they failed, and redrive after a fix",
        subcommands = { DlqCommands.ListLetters.class, DlqCommands.Show.class, DlqCommands.Redrive.class })
final class DlqCommands {

    /** The attributes the processor adds when it dead-letters a message (the others are the ingress's). */
    static final List<String> FAILURE_ATTRIBUTES = List.of("failureCause", "failureLayer", "failureDetail",
            "record", "receiveCount", "firstReceivedAt", "lastReceivedAt");

    @ParentCommand
    LoopfreeOps root;

    /** Peeks: received with a zero visibility timeout, so the messages stay visible; nothing is deleted. */
    static List<Message> peek(OpsContext ops, int max) {
        Map<String, Message> seen = new LinkedHashMap<>();
        String dlq = ops.requireDlq();
        for (int round = 0; round < 10 && seen.size() < max; round++) {
            List<Message> batch = ops.sqs().receiveMessage(b -> b.queueUrl(dlq).maxNumberOfMessages(10)
                    .visibilityTimeout(0).waitTimeSeconds(0).messageAttributeNames("All")
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
            int before = seen.size();
            batch.forEach(m -> seen.putIfAbsent(m.messageId(), m));
            if (batch.isEmpty() || seen.size() == before) {
                break;
            }
        }
        return new ArrayList<>(seen.values()).subList(0, Math.min(max, seen.size()));
    }

    static String attribute(Message message, String name) {
        MessageAttributeValue value = message.messageAttributes().get(name);
        return value == null ? "-" : value.stringValue();
    }

    @Command(name = "list", description = "List dead letters with their cause")
    static final class ListLetters implements Callable<Integer> {
        @ParentCommand DlqCommands parent;
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = "--max", defaultValue = "50") int max;

        @Override
        public Integer call() {
            try (OpsContext ops = parent.root.context(spec.commandLine().getOut())) {
                List<Message> letters = peek(ops, max);
                ops.out.printf("%-38s %-20s %-10s %-10s %-8s %-24s %s%n", "MESSAGE ID", "CAUSE", "LAYER", "SYSTEM",
                        "TENANT", "EVENT ID", "DETAIL");
                for (Message m : letters) {
                    String cause = attribute(m, "failureCause");
                    ops.out.printf("%-38s %-20s %-10s %-10s %-8s %-24s %s%n", m.messageId(),
                            "-".equals(cause) ? "max-receives" : cause, attribute(m, "failureLayer"),
                            attribute(m, "system"), attribute(m, "tenant"), attribute(m, "eventId"),
                            "-".equals(cause) ? "retried " + m.attributes().getOrDefault(
                                    MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "?")
                                    + " times: its cause is in the processed … outcome=failed line"
                                    : attribute(m, "failureDetail"));
                }
                ops.out.println(letters.size() + " dead letter(s) shown");
            }
            return 0;
        }
    }

    @Command(name = "show", description = "One dead letter: every attribute and its body")
    static final class Show implements Callable<Integer> {
        @ParentCommand DlqCommands parent;
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0") String messageId;

        @Override
        public Integer call() {
            try (OpsContext ops = parent.root.context(spec.commandLine().getOut())) {
                Message m = peek(ops, 1000).stream().filter(x -> x.messageId().equals(messageId)).findFirst()
                        .orElseThrow(() -> new OpsContext.OpsException("no dead letter " + messageId + " visible now"));
                ops.out.println("messageId: " + m.messageId());
                m.attributes().forEach((k, v) -> ops.out.println(k + ": " + v));
                new java.util.TreeMap<>(m.messageAttributes()).forEach((k, v) -> ops.out.println(k + ": " + v.stringValue()));
                ops.out.println("body: " + m.body());
            }
            return 0;
        }
    }

    /**
     * Moves the dead letters back to the processing queue after a fix. StartMessageMoveTask (the console's
     * "Start DLQ redrive"; ElasticMQ has it too), to {@code --queue-url} (or, without it, to the queue each message
     * came from — which the processor's own dead letters do not have). Where the endpoint has no such action, or with
     * {@code --copy}: receive, send to {@code --queue-url} (body and the ingress's attributes),
     * delete — one message at a time, so a crash duplicates at most one (the processor drops duplicates).
     */
    @Command(name = "redrive", description = "Move dead letters back to the processing queue after a fix")
    static final class Redrive implements Callable<Integer> {
        @ParentCommand DlqCommands parent;
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = "--copy", description = "receive + send + delete, even where StartMessageMoveTask exists")
        boolean copy;

        @Override
        public Integer call() {
            try (OpsContext ops = parent.root.context(spec.commandLine().getOut())) {
                String dlq = ops.requireDlq();
                if (!copy) {
                    try {
                        String arn = ops.sqs().getQueueAttributes(b -> b.queueUrl(dlq)
                                .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
                        // messages the processor dead-lettered itself have no source queue: name the destination
                        String destination = ops.queueUrl == null ? null : ops.sqs().getQueueAttributes(b -> b
                                .queueUrl(ops.queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN)).attributes()
                                .get(QueueAttributeName.QUEUE_ARN);
                        String task = ops.sqs().startMessageMoveTask(b -> b.sourceArn(arn).destinationArn(destination))
                                .taskHandle();
                        ops.out.println("StartMessageMoveTask started (task " + task + "): messages move to "
                                + (destination == null ? "their source queue" : destination));
                        return 0;
                    } catch (software.amazon.awssdk.core.exception.SdkException e) {
                        ops.out.println("StartMessageMoveTask not available here (" + e.getClass().getSimpleName()
                                + "); copying instead");
                    }
                }
                if (ops.queueUrl == null) {
                    throw new OpsContext.OpsException("give the processing queue: --queue-url (or SYNC_QUEUE_URL)");
                }
                int moved = 0;
                while (true) {
                    List<Message> batch = ops.sqs().receiveMessage(b -> b.queueUrl(dlq).maxNumberOfMessages(1)
                            .visibilityTimeout(30).waitTimeSeconds(0).messageAttributeNames("All")).messages();
                    if (batch.isEmpty()) {
                        break;
                    }
                    Message m = batch.get(0);
                    Map<String, MessageAttributeValue> attributes = new LinkedHashMap<>(m.messageAttributes());
                    FAILURE_ATTRIBUTES.forEach(attributes::remove);
                    ops.sqs().sendMessage(b -> b.queueUrl(ops.queueUrl).messageBody(m.body()).messageAttributes(attributes));
                    ops.sqs().deleteMessage(b -> b.queueUrl(dlq).receiptHandle(m.receiptHandle()));
                    moved++;
                }
                ops.out.println(moved + " message(s) moved to " + ops.queueUrl);
            }
            return 0;
        }
    }
}
