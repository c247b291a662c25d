package io.loopfree.sync.domain.valve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.domain.envelope.Envelope;
import io.loopfree.sync.domain.envelope.EnvelopeCodec;

class DrainRequestTest {

    private static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");
    private static final AccountKey ACCOUNT = new AccountKey("acme", "hubspot", "62515");

    @Test
    void itTravelsAsAnEnvelopeOfTheAccountsSystemAndIsReadBackAfterTheQueue() {
        DrainRequest request = new DrainRequest(ACCOUNT, NOW.plusMillis(30_250));
        Envelope envelope = request.envelope(NOW);
        assertThat(envelope.system()).isEqualTo("hubspot");
        assertThat(envelope.tenant()).isEqualTo("acme");
        assertThat(envelope.eventId()).isEqualTo("drain:acme#hubspot#62515:" + NOW.plusSeconds(30).getEpochSecond());
        assertThat(DrainRequest.read(EnvelopeCodec.decode(EnvelopeCodec.encode(envelope)))).contains(request);
    }

    @Test
    void aWebhookOrAListedRecordIsNoDrainRequest() {
        Envelope webhook = Envelope.of("hubspot", "acme", "evt_1", NOW, Map.of("content-type", "application/json"),
                "{}".getBytes());
        assertThat(DrainRequest.read(webhook)).isEmpty();
        Envelope listed = Envelope.of("hubspot", "acme", "evt_2", NOW, Map.of("x-loopfree-source", "reconciler"),
                "{}".getBytes());
        assertThat(DrainRequest.read(listed)).isEmpty();
    }

    @Test
    void oneThatNamesNoAccountOrDueTimeIsMalformed() {
        Map<String, String> headers = new HashMap<>(new DrainRequest(ACCOUNT, NOW).envelope(NOW).headers());
        headers.put(DrainRequest.DUE_AT_HEADER, "soon");
        assertThatThrownBy(() -> DrainRequest.read(Envelope.of("hubspot", "acme", "drain:x", NOW, headers,
                "{}".getBytes()))).isInstanceOf(IllegalArgumentException.class);
        headers.remove(DrainRequest.ACCOUNT_HEADER);
        assertThatThrownBy(() -> DrainRequest.read(Envelope.of("hubspot", "acme", "drain:x", NOW, headers,
                "{}".getBytes()))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void whatRemainsOfTheWaitIsNeverNegative() {
        DrainRequest request = new DrainRequest(ACCOUNT, NOW.plusSeconds(3600));
        assertThat(request.remaining(NOW)).isEqualTo(Duration.ofHours(1));
        assertThat(request.remaining(NOW.plusSeconds(3601))).isZero();
    }
}
