package io.loopfree.sync.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.loopfree.sync.domain.envelope.EnvelopeCodec;
import io.loopfree.sync.adapters.sqs.SqsEnvelopeQueue;
import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.ports.EnvelopeQueue;
import io.loopfree.sync.support.AwsBackend;
import io.loopfree.sync.support.SqsRequestRecorder;
import io.loopfree.sync.support.TestBackends;
import io.loopfree.sync.support.TestConfigs;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/** The SQS adapter against ElasticMQ (the real SQS wire protocol), counting the requests it makes. */
class SqsEnvelopeQueueTest {

    static final SqsRequestRecorder RECORDER = new SqsRequestRecorder();
    static SqsClient sqs;
    String queueUrl;

    @BeforeAll
    static void client() {
        AwsBackend backend = TestBackends.embedded().backend();
        sqs = SqsClient.builder().endpointOverride(backend.sqsEndpoint()).region(Region.of(AwsBackend.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(c -> c.addExecutionInterceptor(RECORDER)).build();
    }

    @AfterAll
    static void close() {
        sqs.close();
    }

    @BeforeEach
    void freshQueue() {
        queueUrl = sqs.createQueue(b -> b.queueName("ingress-adapter-" + UUID.randomUUID())).queueUrl();
        RECORDER.reset();
    }

    @Test
    void oneEnvelopeIsOneSendMessage() {
        queue(Map.of()).send(envelope(0, 100));
        assertThat(RECORDER.operations()).containsExactly("SendMessage");
        assertThat(received()).hasSize(1);
    }

    @Test
    void aHundredEnvelopesAreTenBatchRequests() {
        queue(Map.of()).sendAll(envelopes(100, 200));
        assertThat(RECORDER.operations()).hasSize(10).containsOnly("SendMessageBatch");
        assertThat(RECORDER.batchSizes()).containsOnly(10);
        assertThat(received()).extracting(m -> EnvelopeCodec.decode(m.body()).eventId())
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 100).mapToObj(i -> "evt_" + i).toList());
    }

    @Test
    void batchesAlsoStayUnderTheBatchByteLimit() {
        queue(Map.of("sync.ingress.max-batch-bytes", "5000", "sync.ingress.max-message-bytes", "5000")).sendAll(envelopes(10, 1500));
        assertThat(RECORDER.batchSizes()).allMatch(size -> size <= 3).hasSizeGreaterThanOrEqualTo(4);
        assertThat(received()).hasSize(10);
    }

    @Test
    void aFailedEntryIsRetriedAloneAndTheDeliveryIsStored() {
        RECORDER.failEntry("e3", 1, false);
        queue(Map.of()).sendAll(envelopes(12, 100));
        assertThat(RECORDER.batchSizes()).containsExactly(10, 1, 2);
        // e3 was stored by SQS before it was reported failed: the retry duplicates it, the processor dedups it
        assertThat(received()).hasSize(13).extracting(m -> EnvelopeCodec.decode(m.body()).eventId())
                .containsAll(IntStream.range(0, 12).mapToObj(i -> "evt_" + i).toList());
    }

    @Test
    void anEntryThatKeepsFailingMakesTheDeliveryUnavailableAfterBoundedRetries() {
        RECORDER.failEntry("e3", 100, false);
        assertThatThrownBy(() -> queue(Map.of()).sendAll(envelopes(12, 100)))
                .isInstanceOf(EnvelopeQueue.QueueUnavailableException.class)
                .hasMessageContaining("3 of 12 events were not stored").hasMessageContaining("InternalError");
        assertThat(RECORDER.batchSizes()).as("3 attempts, then the rest is not sent").containsExactly(10, 1, 1);
    }

    @Test
    void aSenderFaultOnTheContentIsNotRetriedAndIsARejectionNotAnOutage() {
        RECORDER.failEntry("e0", 100, true);
        assertThatThrownBy(() -> queue(Map.of()).sendAll(envelopes(2, 100)))
                .isInstanceOf(EnvelopeQueue.EnvelopeRejectedException.class).hasMessageContaining("sender fault");
        assertThat(RECORDER.batchSizes()).containsExactly(2);
    }

    @Test
    void anOversizedEnvelopeStopsTheDeliveryBeforeAnythingIsSent() {
        List<Envelope> envelopes = new ArrayList<>(envelopes(3, 100));
        byte[] noise = new byte[800_000]; // base64: over SQS's 1 MiB, and noise does not compress
        new java.util.Random(3).nextBytes(noise);
        envelopes.add(Envelope.of("hubspot", "acme", "evt_big", Instant.parse("2026-11-20T10:00:00Z"), Map.of(), noise));
        assertThatThrownBy(() -> queue(Map.of()).sendAll(envelopes)).isInstanceOf(EnvelopeQueue.EnvelopeTooLargeException.class);
        assertThat(RECORDER.operations()).isEmpty();
    }

    @Test
    void aMessageBetween256KiBAnd1MiBIsSentAsItIs() {
        byte[] noise = new byte[500_000]; // base64: ~667 KB, over the old 256 KiB default, under SQS's 1 MiB
        new java.util.Random(5).nextBytes(noise);
        queue(Map.of()).send(Envelope.of("hubspot", "acme", "evt_large", Instant.parse("2026-11-20T10:00:00Z"), Map.of(), noise));
        List<Message> received = received();
        assertThat(received).hasSize(1);
        Envelope envelope = EnvelopeCodec.decode(received.get(0).body());
        assertThat(envelope.bodyEncoding()).isEqualTo(Envelope.BodyEncoding.base64);
        assertThat(envelope.rawBody()).isEqualTo(noise);
    }

    @Test
    void anEnvelopeWhoseContentSqsRefusesIsRejectedNotUnavailable() {
        Envelope bad = Envelope.of("app", "acme", "msg_\u0001bad", Instant.parse("2026-11-20T10:00:00Z"), Map.of(),
                "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThatThrownBy(() -> queue(Map.of()).send(bad)).isInstanceOf(EnvelopeQueue.EnvelopeRejectedException.class);
        List<Envelope> batch = new ArrayList<>(envelopes(2, 100));
        batch.add(bad);
        assertThatThrownBy(() -> queue(Map.of()).sendAll(batch)).isInstanceOf(EnvelopeQueue.EnvelopeRejectedException.class)
                .hasMessageContaining("1 of 3 events were refused");
    }

    private SqsEnvelopeQueue queue(Map<String, String> settings) {
        Map<String, String> all = new java.util.HashMap<>(settings);
        all.put("sync.queue-url", queueUrl);
        return new SqsEnvelopeQueue(new io.loopfree.sync.adapters.sqs.SqsSender(sqs, TestConfigs.syncConfig(all)));
    }

    private List<Message> received() {
        List<Message> all = new ArrayList<>();
        while (true) {
            List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .waitTimeSeconds(0).visibilityTimeout((int) Duration.ofMinutes(5).toSeconds())).messages();
            if (batch.isEmpty()) {
                return all;
            }
            all.addAll(batch);
        }
    }

    static List<Envelope> envelopes(int count, int bodySize) {
        return IntStream.range(0, count).mapToObj(i -> envelope(i, bodySize)).toList();
    }

    static Envelope envelope(int i, int bodySize) {
        String body = "{\"eventId\":" + i + ",\"pad\":\"" + "x".repeat(Math.max(0, bodySize - 30)) + "\"}";
        return Envelope.of("hubspot", "acme", "evt_" + i, Instant.parse("2026-11-20T10:00:00Z"), Map.of("content-type",
                "application/json"), body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
