package io.loopfree.sync.app;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.domain.text.Names;
import io.loopfree.sync.domain.text.Untrusted;
import io.loopfree.sync.domain.webhook.BatchSplitter;
import io.loopfree.sync.domain.webhook.ChallengeAnswer;
import io.loopfree.sync.domain.webhook.ChallengeSpec;
import io.loopfree.sync.domain.webhook.DeliveredEvents;
import io.loopfree.sync.domain.webhook.Json;
import io.loopfree.sync.domain.webhook.Memo;
import io.loopfree.sync.domain.webhook.ProviderProfile;
import io.loopfree.sync.domain.webhook.SignatureScheme;
import io.loopfree.sync.domain.webhook.SignatureSchemes;
import io.loopfree.sync.domain.webhook.Verification;
import io.loopfree.sync.domain.webhook.WebhookRequest;
import io.loopfree.sync.ports.EnvelopeQueue;
import io.loopfree.sync.ports.ProfileRepository;
import io.loopfree.sync.ports.SecretStore;

/**
 * The front door: answer challenges, verify, split, enqueue the raw envelopes, answer. No normalization and no
 * DynamoDB here, so that a mapping bug can never cost a webhook. Every refusal names its reason; none names a
 * secret. Order matters: the route, the profile, the method and the tenant are checked before anything is read
 * from the body, and nothing is enqueued before the delivery is verified.
 */
@ApplicationScoped
public class IngressService {

    private static final Logger LOG = Logger.getLogger(IngressService.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProfileRepository profiles;
    private final SecretStore secrets;
    private final EnvelopeQueue queue;
    private final Clock clock;
    private final Optional<String> publicBaseUrl;
    private final SyncMetrics metrics;

    public IngressService(ProfileRepository profiles, SecretStore secrets, EnvelopeQueue queue, Clock clock,
            SyncConfig config, SyncMetrics metrics) {
        this.metrics = metrics;
        this.profiles = profiles;
        this.secrets = secrets;
        this.queue = queue;
        this.clock = clock;
        this.publicBaseUrl = config.ingress().publicBaseUrl();
    }

    public IngressResult handle(String system, String tenant, WebhookRequest request) {
        IngressResult result = decide(system, tenant, request);
        String outcome = outcome(result);
        // a name from the URL that matched no profile is not a dimension value: cardinality stays bounded
        boolean known = !outcome.equals("unknown_route") && !outcome.equals("unknown_system");
        metrics.webhook(known ? system : "unknown", outcome);
        return result;
    }

    /** {@code accepted}, {@code challenge} (answered), or the error code of the answer. */
    private static String outcome(IngressResult result) {
        if (result.status() == 202) {
            return "accepted";
        }
        if (result.status() < 400) {
            return "challenge";
        }
        try {
            return JSON.readTree(result.body()).path("error").asText("error");
        } catch (java.io.IOException | RuntimeException e) {
            return "error";
        }
    }

    private IngressResult decide(String system, String tenant, WebhookRequest request) {
        Instant receivedAt = clock.instant();
        if (!Names.isValid(system) || !Names.isValid(tenant)) {
            return error(404, "unknown_route", "expected /webhooks/{system}/{tenant}");
        }
        ProviderProfile profile;
        SignatureScheme scheme;
        try {
            Optional<ProviderProfile> found = profiles.find(system);
            if (found.isEmpty()) {
                return error(404, "unknown_system", "no provider profile for system '" + system + "'");
            }
            profile = found.get();
            scheme = SignatureSchemes.forProfile(profile, publicBaseUrl);
        } catch (RuntimeException e) {
            LOG.errorf("invalid provider profile for system %s: %s", system, Untrusted.text(e.getMessage(), 300));
            return error(500, "misconfigured_profile", "the profile for '" + system + "' is invalid; see the logs");
        }
        if (profile.allowedMethods().stream().noneMatch(request::isMethod)) {
            return error(405, "method_not_allowed", "'" + system + "' webhooks are delivered with "
                    + String.join(" or ", profile.allowedMethods()));
        }
        List<String> signingSecrets;
        try {
            signingSecrets = secrets.webhookSecrets(system, tenant);
        } catch (SecretStore.SecretStoreUnavailableException e) {
            LOG.warnf("secret store unavailable system=%s tenant=%s: %s", system, tenant, e.getMessage());
            return error(503, "secrets_unavailable", "the signing secrets could not be read; retry later");
        }
        if (signingSecrets.isEmpty()) {
            return error(404, "unknown_tenant", "tenant '" + tenant + "' is not configured for system '" + system + "'");
        }
        Memo<Json.Parsed> parsed = Memo.of(() -> Json.read(request.body()));
        Supplier<Optional<JsonNode>> body = () -> parsed.get().tree();
        Optional<ChallengeSpec> challenge = profile.challenges().stream().filter(c -> c.matches(request, body)).findFirst();
        if (challenge.isPresent()) {
            return answer(system, tenant, challenge.get(), request, body, scheme, signingSecrets, receivedAt);
        }
        if (!request.isMethod("POST")) {
            return error(400, "malformed_challenge", request.method() + " is only for "
                    + profile.challenges().stream().map(ChallengeSpec::name).toList() + "; this request is none of them");
        }
        Verification verification = scheme.verify(request, signingSecrets, receivedAt);
        if (verification instanceof Verification.Rejected rejected) {
            LOG.infof("rejected webhook system=%s tenant=%s reason=%s", system, tenant, Untrusted.text(rejected.reason()));
            metrics.verificationFailed(system, rejected.reason());
            return error(401, "invalid_signature", rejected.reason());
        }
        if (profile.body() == ProviderProfile.BodyFormat.json && parsed.get().problem().isPresent()) {
            // the processor could never parse it: refused now rather than retried into the DLQ
            String reason = parsed.get().problem().get();
            LOG.infof("malformed webhook body system=%s tenant=%s reason=%s", system, tenant, reason);
            return error(400, "malformed_body", reason);
        }
        List<DeliveredEvents.DeliveredEvent> events;
        try {
            events = DeliveredEvents.of(profile, request);
        } catch (BatchSplitter.MalformedBatchException e) {
            String reason = Untrusted.text(e.getMessage(), 300);
            LOG.infof("malformed webhook system=%s tenant=%s reason=%s", system, tenant, reason);
            return error(400, "malformed_delivery", reason);
        }
        Map<String, String> forwarded = forwardedHeaders(profile, request);
        List<Envelope> envelopes = new ArrayList<>(events.size());
        for (DeliveredEvents.DeliveredEvent event : events) {
            envelopes.add(Envelope.of(system, tenant, event.eventId(), receivedAt, forwarded, event.body()));
        }
        List<String> eventIds = events.stream().map(DeliveredEvents.DeliveredEvent::eventId).toList();
        try {
            queue.sendAll(envelopes);
        } catch (EnvelopeQueue.EnvelopeTooLargeException e) {
            LOG.warnf("webhook too large system=%s tenant=%s: %s", system, tenant, e.getMessage());
            return error(413, "payload_too_large", e.getMessage());
        } catch (EnvelopeQueue.EnvelopeRejectedException e) {
            LOG.warnf("webhook refused by the queue system=%s tenant=%s eventIds=%s: %s", system, tenant,
                    Untrusted.list(eventIds, 5), e.getMessage());
            return error(400, "unqueueable_event", "the queue refused the event's content; sending it again cannot succeed");
        } catch (EnvelopeQueue.QueueUnavailableException e) {
            LOG.warnf("queue unavailable, asking provider to retry system=%s tenant=%s eventIds=%s: %s",
                    system, tenant, Untrusted.list(eventIds, 5), e.getMessage());
            return error(503, "queue_unavailable", "the events were not all stored; retry later");
        }
        LOG.debugf("accepted webhook system=%s tenant=%s eventIds=%s", system, tenant, Untrusted.list(eventIds, 5));
        metrics.webhookEvents(system, tenant, events.size());
        return accepted(eventIds);
    }

    private IngressResult answer(String system, String tenant, ChallengeSpec challenge, WebhookRequest request,
            Supplier<Optional<JsonNode>> body, SignatureScheme scheme, List<String> signingSecrets, Instant now) {
        Optional<String> signingSecret = Optional.of(signingSecrets.get(0));
        List<String> verifyTokens = List.of();
        if (challenge.authenticate() == ChallengeSpec.Authentication.signature) {
            Verification verification = scheme.verify(request, signingSecrets, now);
            if (verification instanceof Verification.Rejected rejected) {
                LOG.infof("rejected challenge system=%s tenant=%s challenge=%s reason=%s", system, tenant,
                        challenge.name(), Untrusted.text(rejected.reason()));
                metrics.verificationFailed(system, rejected.reason());
                return error(401, "invalid_signature", rejected.reason());
            }
            signingSecret = Optional.of(signingSecrets.get(((Verification.Verified) verification).secretIndex()));
        } else if (challenge.authenticate() == ChallengeSpec.Authentication.verifyToken) {
            try {
                verifyTokens = secrets.webhookSecrets(system, tenant, challenge.verifyTokenSecret());
            } catch (SecretStore.SecretStoreUnavailableException e) {
                return error(503, "secrets_unavailable", "the verify token could not be read; retry later");
            }
        }
        ChallengeAnswer.Outcome outcome = ChallengeAnswer.answer(challenge, request, body, signingSecret, verifyTokens);
        if (outcome instanceof ChallengeAnswer.Refused refused) {
            LOG.infof("refused challenge system=%s tenant=%s challenge=%s reason=%s", system, tenant, challenge.name(),
                    Untrusted.text(refused.reason()));
            return error(refused.status(), refused.error(), refused.reason());
        }
        ChallengeAnswer.Answered answered = (ChallengeAnswer.Answered) outcome;
        LOG.infof("answered challenge system=%s tenant=%s challenge=%s", system, tenant, challenge.name());
        metrics.challengeAnswered(system, challenge.name());
        return new IngressResult(200, answered.contentType(), answered.body(), answered.headers());
    }

    private static Map<String, String> forwardedHeaders(ProviderProfile profile, WebhookRequest request) {
        Map<String, String> forwarded = new LinkedHashMap<>();
        for (String name : profile.forwardedHeaders()) {
            request.header(name).ifPresent(value -> forwarded.put(name, value));
        }
        return forwarded;
    }

    private static IngressResult accepted(List<String> eventIds) {
        ObjectNode body = JSON.createObjectNode().put("status", "accepted");
        if (eventIds.size() == 1) {
            body.put("eventId", eventIds.get(0));
        }
        body.put("events", eventIds.size());
        eventIds.forEach(body.putArray("eventIds")::add);
        return IngressResult.json(202, body.toString());
    }

    static IngressResult error(int status, String code, String reason) {
        return IngressResult.json(status, JSON.createObjectNode().put("error", code).put("reason", reason).toString());
    }
}
