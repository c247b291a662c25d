package io.loopfree.sync.functions;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;

import io.loopfree.sync.adapters.http.HttpOutboundClient;
import io.loopfree.sync.domain.outbound.OutboundResponse;
import io.loopfree.sync.domain.outbound.OutboundTarget;
import io.loopfree.sync.domain.outbound.OutboundWrite;
import io.loopfree.sync.ports.OutboundClient;

/**
 * Test-only: the real outbound client, except that a write of a record a test lists throws once before anything is
 * sent — the function dies between apply and write. Passes everything else through untouched.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class CrashingOutboundClient implements OutboundClient {

    static final Set<String> CRASH_BEFORE_WRITING = ConcurrentHashMap.newKeySet();

    @Inject
    HttpOutboundClient real;

    @Override
    public OutboundResponse write(OutboundWrite write, Optional<Instant> lastSeen, Instant deadline) {
        if (CRASH_BEFORE_WRITING.remove(write.canonicalKey())) {
            throw new IllegalStateException("injected failure: the function died before writing");
        }
        return real.write(write, lastSeen, deadline);
    }

    @Override
    public OutboundResponse fetch(OutboundTarget target, String resource, String recordId, Instant deadline) {
        return real.fetch(target, resource, recordId, deadline);
    }

    @Override
    public PageResult list(OutboundTarget target, String resource, Instant since, Optional<String> cursor,
            Instant deadline) {
        return real.list(target, resource, since, cursor, deadline);
    }
}
