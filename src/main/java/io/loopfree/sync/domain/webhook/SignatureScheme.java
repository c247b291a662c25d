package io.loopfree.sync.domain.webhook;

import java.time.Instant;
import java.util.List;

/**
 * A provider's signature scheme. Implementations are pure: the current time is passed in, the comparison is
 * constant-time, and any one of several active secrets may match (rotation without downtime).
 */
public interface SignatureScheme {

    Verification verify(WebhookRequest request, List<String> activeSecrets, Instant now);
}
