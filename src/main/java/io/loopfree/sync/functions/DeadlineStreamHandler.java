package io.loopfree.sync.functions;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;

import io.quarkus.funqy.lambda.FunqyStreamHandler;

/**
 * The managed Java runtime's handler ({@code io.loopfree.sync.functions.DeadlineStreamHandler::handleRequest}):
 * records the invocation's deadline from the Lambda {@link Context} ({@link InvocationDeadline}), then hands the
 * invocation to Funqy's own handler unchanged. The reconciler stops listing before that deadline.
 */
public class DeadlineStreamHandler implements RequestStreamHandler {

    private final FunqyStreamHandler funqy = new FunqyStreamHandler();

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        if (context != null) {
            InvocationDeadline.set(Instant.now().plusMillis(Math.max(0, context.getRemainingTimeInMillis())));
        }
        try {
            funqy.handleRequest(input, output, context);
        } finally {
            InvocationDeadline.clear();
        }
    }
}
