package io.loopfree.sync.local;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.loopfree.sync.support.SqsEvents;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Does locally what Lambda's SQS event source mapping does: long-polls the queue, invokes the processor with
 * batches of up to 10 records, deletes the records that succeeded, and leaves the ones named in
 * {@code batchItemFailures} (or the whole batch, if the invocation failed) to reappear after the visibility
 * timeout; the queue's redrive policy moves them to the DLQ after the maximum receives.
 */
final class SqsEventSourceMapping implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SqsClient sqs;
    private final String queueUrl;
    private final String queueArn;
    private final Function<String, String> processor;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean paused = new AtomicBoolean(false);
    private final AtomicLong invocations = new AtomicLong();
    private final AtomicLong deleted = new AtomicLong();
    private final AtomicLong failedRecords = new AtomicLong();
    private final List<Thread> pollers = new java.util.ArrayList<>();

    SqsEventSourceMapping(SqsClient sqs, String queueUrl, String queueArn, Function<String, String> processor) {
        this(sqs, queueUrl, queueArn, processor, 1);
    }

    /**
     * @param concurrency how many batches are in flight at once (Lambda scales its pollers up to the function's
     *        concurrency): one poller per processor instance
     */
    SqsEventSourceMapping(SqsClient sqs, String queueUrl, String queueArn, Function<String, String> processor,
            int concurrency) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.queueArn = queueArn;
        this.processor = processor;
        for (int i = 1; i <= Math.max(1, concurrency); i++) {
            Thread poller = new Thread(this::poll, "sqs-event-source-mapping-" + i);
            poller.setDaemon(true);
            poller.start();
            pollers.add(poller);
        }
    }

    /** Stops taking batches (those in flight finish), as disabling the event source mapping does. */
    void pause() {
        paused.set(true);
    }

    void resume() {
        paused.set(false);
    }

    private void poll() {
        while (running.get()) {
            if (paused.get()) {
                idle(100);
                continue;
            }
            try {
                List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                        .waitTimeSeconds(1)
                        .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                        .messageAttributeNames("All")).messages();
                if (!messages.isEmpty()) {
                    deliver(messages);
                }
            } catch (RuntimeException e) {
                if (running.get()) {
                    System.err.println("[event-source-mapping] " + e.getMessage());
                    sleep();
                }
            }
        }
    }

    private void deliver(List<Message> messages) {
        invocations.incrementAndGet();
        Set<String> failed = new HashSet<>();
        try {
            JsonNode response = JSON.readTree(processor.apply(SqsEvents.of(messages, queueArn)));
            response.path("batchItemFailures").forEach(f -> failed.add(f.path("itemIdentifier").asText()));
        } catch (Exception e) {
            // the whole invocation failed: Lambda retries every record of the batch
            messages.forEach(m -> failed.add(m.messageId()));
        }
        failedRecords.addAndGet(failed.size());
        List<DeleteMessageBatchRequestEntry> done = messages.stream()
                .filter(m -> !failed.contains(m.messageId()))
                .map(m -> DeleteMessageBatchRequestEntry.builder().id(m.messageId()).receiptHandle(m.receiptHandle()).build())
                .toList();
        if (!done.isEmpty()) {
            sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(done));
            deleted.addAndGet(done.size());
        }
    }


    long invocations() {
        return invocations.get();
    }

    long deleted() {
        return deleted.get();
    }

    long failedRecords() {
        return failedRecords.get();
    }

    /** Backs off after a failed receive (SQS unreachable), as the event source mapping does; not a test wait. */
    private static void sleep() {
        idle(1000);
    }

    private static void idle(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running.set(false);
        for (Thread poller : pollers) {
            try {
                poller.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
