package io.loopfree.sync.app;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.exceptions.FaultToleranceException;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.domain.webhook.ProviderProfile;
import io.loopfree.sync.domain.webhook.SignatureScheme;
import io.loopfree.sync.domain.webhook.SignatureSchemes;
import io.loopfree.sync.domain.webhook.Verification;
import io.loopfree.sync.domain.webhook.WebhookRequest;
import io.loopfree.sync.ports.EnvelopeQueue;
import io.loopfree.sync.ports.ProfileRepository;
import io.loopfree.sync.ports.SecretStore;

/**
 * The front door: verify, enqueue the raw envelope, answer. No normalization and no DynamoDB here, so that a
 * mapping bug can never cost a webhook. Every refusal names its reason; none names a secret.
 */
@ApplicationScoped
public class IngressService {

    private static final Logger LOG = Logger.getLogger(IngressService.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private final ProfileRepository profiles;
    private final SecretStore secrets;
    private final EnvelopeQueue queue;
    private final Clock clock;

    public IngressService(ProfileRepository profiles, SecretStore secrets, EnvelopeQueue queue, Clock clock) {
        this.profiles = profiles;
        this.secrets = secrets;
        this.queue = queue;
        this.clock = clock;
    }

    public IngressResult handle(String system, String tenant, WebhookRequest request) {
        Instant receivedAt = clock.instant();
        if (!"POST".equalsIgnoreCase(request.method())) {
            return error(405, "method_not_allowed", "webhooks are delivered with POST");
        }
        if (system == null || tenant == null || !NAME.matcher(system).matches() || !NAME.matcher(tenant).matches()) {
            return error(404, "unknown_route", "expected /webhooks/{system}/{tenant}");
        }
        Optional<ProviderProfile> profile = profiles.find(system);
        if (profile.isEmpty()) {
            return error(404, "unknown_system", "no provider profile for system '" + system + "'");
        }
        List<String> activeSecrets = secrets.webhookSecrets(system, tenant);
        if (activeSecrets.isEmpty()) {
            return error(404, "unknown_tenant", "tenant '" + tenant + "' is not configured for system '" + system + "'");
        }
        Optional<SignatureScheme> scheme = SignatureSchemes.forProfile(profile.get());
        if (scheme.isEmpty()) {
            LOG.errorf("profile %s names unknown signature scheme %s", system, profile.get().scheme());
            return error(500, "misconfigured_profile", "the profile for '" + system + "' names an unknown scheme");
        }
        Verification verification = scheme.get().verify(request, activeSecrets, receivedAt);
        if (verification instanceof Verification.Rejected rejected) {
            LOG.infof("rejected webhook system=%s tenant=%s reason=%s", system, tenant, rejected.reason());
            return error(401, "invalid_signature", rejected.reason());
        }
        String eventId = ((Verification.Verified) verification).eventId();
        Envelope envelope = envelope(system, tenant, eventId, receivedAt, profile.get(), request);
        try {
            queue.send(envelope);
        } catch (EnvelopeQueue.EnvelopeTooLargeException e) {
            return error(413, "payload_too_large", e.getMessage());
        } catch (EnvelopeQueue.QueueUnavailableException | FaultToleranceException e) {
            LOG.warnf("queue unavailable, asking provider to retry system=%s tenant=%s eventId=%s: %s",
                    system, tenant, eventId, e.getMessage());
            return error(503, "queue_unavailable", "the event was not stored; retry later");
        }
        LOG.debugf("accepted webhook system=%s tenant=%s eventId=%s", system, tenant, eventId);
        return IngressResult.json(202, JSON.createObjectNode().put("status", "accepted").put("eventId", eventId).toString());
    }

    private static Envelope envelope(String system, String tenant, String eventId, Instant receivedAt,
            ProviderProfile profile, WebhookRequest request) {
        Map<String, String> forwarded = new LinkedHashMap<>();
        for (String name : profile.forwardedHeaders()) {
            request.header(name).ifPresent(value -> forwarded.put(name, value));
        }
        byte[] body = request.body();
        Optional<String> text = strictUtf8(body);
        return text.isPresent()
                ? new Envelope(system, tenant, eventId, receivedAt, forwarded, text.get(), Envelope.BodyEncoding.utf8)
                : new Envelope(system, tenant, eventId, receivedAt, forwarded,
                        Base64.getEncoder().encodeToString(body), Envelope.BodyEncoding.base64);
    }

    /** Text only when the bytes round-trip exactly; anything else travels as base64, byte for byte. */
    private static Optional<String> strictUtf8(byte[] body) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    static IngressResult error(int status, String code, String reason) {
        return IngressResult.json(status, JSON.createObjectNode().put("error", code).put("reason", reason).toString());
    }
}
