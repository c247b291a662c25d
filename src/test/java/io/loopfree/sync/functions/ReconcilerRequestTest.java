package io.loopfree.sync.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.app.ReconcilerService;

/** The scheduled event's detail → the run request (plain JUnit: the decoding only). */
class ReconcilerRequestTest {

    @Test
    void anOperatorMayAskForAConnectionsMatchingAgain() {
        ReconcilerService.RunRequest request = ReconcilerFunction.request(new ScheduledEvent.Detail(null, null, null,
                null, new ScheduledEvent.Match("acme", "contact")));
        assertThat(request.match()).contains(new ReconcilerService.MatchRequest("acme", "contact"));
        assertThat(ReconcilerFunction.request(new ScheduledEvent.Detail(null, null, null, null, null)).match()).isEmpty();
    }

    @Test
    void aMatchRequestNamesItsConnection() {
        assertThatThrownBy(() -> ReconcilerFunction.request(new ScheduledEvent.Detail(null, null, null, null,
                new ScheduledEvent.Match("acme", " ")))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("detail.match");
    }
}
