package io.loopfree.sync.looptest;

import java.util.List;
import java.util.Optional;

import io.loopfree.sync.app.IngressResult;
import io.loopfree.sync.domain.change.ChangeMapping;
import io.loopfree.sync.domain.outbound.OutboundProfile;
import io.loopfree.sync.domain.reconcile.ReconcileJob;
import io.loopfree.sync.domain.webhook.ProviderProfile;
import io.loopfree.sync.domain.webhook.WebhookRequest;

/**
 * The engine as the loop test drives it: the ingress, the queue drained into the processor, the reconciler's
 * listing, the connection store, and the deployment's profiles and mappings. {@link QuarkusPipeline} is the
 * in-process one (DynamoDB Local + ElasticMQ); another runner (the runbook's) can supply its own.
 */
public interface Pipeline {

    /** One processed queue message. @param layer the processor layer that decided it (Outcome.layer) */
    record Processed(String system, String eventId, String outcome, String layer) {
    }

    /** The engine's time: webhooks are signed at it (the ingress checks their timestamps against it). */
    java.time.Instant now();

    IngressResult ingress(String system, String tenant, WebhookRequest request);

    /** Hands every message on the queue to the processor, one SQS event each, until the queue is empty. */
    List<Processed> processQueued();

    /**
     * An EventBridge event from a provider's relay (Salesforce Event Relay) handed to the relay function, which puts
     * one envelope per record on the queue. @return its outcome: {@code enqueued}, {@code overflow}, {@code refused}
     */
    String relay(String event);

    /** A forced listing of one job through its outbound profile, its records put on the queue. */
    void reconcile(ReconcileJob job);

    /** Stores a connection (the seed-file JSON: an array of connections). */
    void seedConnection(String json);

    /** @throws IllegalArgumentException when the profile exists but is invalid */
    Optional<OutboundProfile> outboundProfile(String name);

    Optional<ProviderProfile> ingressProfile(String system);

    /** @throws RuntimeException (MappingException) when the mapping exists but is invalid */
    Optional<ChangeMapping> mapping(String system);
}
