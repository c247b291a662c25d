package io.loopfree.sync.support;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResultEntry;

/**
 * An SDK interceptor on a real SqsClient: records every request (operation, entries per batch) and, when asked,
 * reports a batch entry as failed after SQS accepted it, the way a partial batch failure looks to the sender
 * (the message really is stored: a retry duplicates it, which the processor's dedup absorbs).
 */
public final class SqsRequestRecorder implements ExecutionInterceptor {

    private final List<String> operations = Collections.synchronizedList(new ArrayList<>());
    private final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger failuresToInject = new AtomicInteger();
    private volatile String entryToFail = "e3";
    private volatile boolean senderFault;

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        SdkRequest request = context.request();
        operations.add(request.getClass().getSimpleName().replace("Request", ""));
        if (request instanceof SendMessageBatchRequest batch) {
            batchSizes.add(batch.entries().size());
        }
    }

    @Override
    public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
        if (!(context.response() instanceof SendMessageBatchResponse response) || failuresToInject.get() <= 0) {
            return context.response();
        }
        List<SendMessageBatchResultEntry> successful = new ArrayList<>(response.successful());
        boolean removed = successful.removeIf(entry -> entry.id().equals(entryToFail));
        if (!removed) {
            return response;
        }
        failuresToInject.decrementAndGet();
        List<BatchResultErrorEntry> failed = new ArrayList<>(response.failed());
        failed.add(BatchResultErrorEntry.builder().id(entryToFail).code(senderFault ? "InvalidParameterValue" : "InternalError")
                .senderFault(senderFault).message("injected").build());
        return response.toBuilder().successful(successful).failed(failed).build();
    }

    /** The next {@code times} batch responses containing {@code entryId} report it failed. */
    public void failEntry(String entryId, int times, boolean asSenderFault) {
        entryToFail = entryId;
        senderFault = asSenderFault;
        failuresToInject.set(times);
    }

    public List<String> operations() {
        return List.copyOf(operations);
    }

    public List<Integer> batchSizes() {
        return List.copyOf(batchSizes);
    }

    public long count(String operation) {
        return operations.stream().filter(operation::equals).count();
    }

    public void reset() {
        operations.clear();
        batchSizes.clear();
        failuresToInject.set(0);
    }
}
