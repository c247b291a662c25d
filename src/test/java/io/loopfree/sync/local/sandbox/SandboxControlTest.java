package io.loopfree.sync.local.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

class SandboxControlTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void parsesEveryControl() throws Exception {
        SandboxControl control = SandboxControl.parse(JSON.readTree("""
                {"fail429":{"count":3,"retryAfterSeconds":2},"dropWebhooks":1,
                 "duplicateWebhooks":{"count":2,"times":3},"reorderWebhooks":4,"webhookDelayMs":250,
                 "pauseWebhooks":true}"""));
        assertThat(control).isEqualTo(new SandboxControl(new SandboxControl.Fail429(3, 2), 1,
                new SandboxControl.Duplicate(2, 3), 4, 250L, true));
    }

    @Test
    void rejectsUnknownOrMalformedControls() {
        assertThatThrownBy(() -> SandboxControl.parse(JSON.readTree("{\"dropWebhook\":1}")))
                .hasMessageContaining("unknown control 'dropWebhook'");
        assertThatThrownBy(() -> SandboxControl.parse(JSON.readTree("{\"dropWebhooks\":\"1\"}")))
                .hasMessageContaining("dropWebhooks must be an integer");
        assertThatThrownBy(() -> SandboxControl.parse(JSON.readTree("{\"duplicateWebhooks\":{\"count\":1,\"times\":0}}")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SandboxControl.parse(JSON.readTree("[]"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void safeTextBoundsAndEscapes() {
        assertThat(SafeText.of("alice\r\nFAKE LOG LINE")).isEqualTo("alice\\u000d\\u000aFAKE LOG LINE");
        assertThat(SafeText.of("x".repeat(1000))).hasSize(SafeText.MAX + 1);
        assertThat(SafeText.of(null)).isNull();
    }
}
