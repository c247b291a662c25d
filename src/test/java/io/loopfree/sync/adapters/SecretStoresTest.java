package io.loopfree.sync.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.adapters.secrets.CachingSecretStore;
import io.loopfree.sync.adapters.secrets.ConfigSecretStore;
import io.loopfree.sync.ports.SecretStore;
import io.loopfree.sync.support.TestConfigs;

/**
 * The configuration secret store and the cache in front of every store. The SSM adapter itself is not tested here:
 * there is no SSM emulator on Maven Central to run it against over the real wire protocol, and AWS is out of reach;
 * {@code SsmSecretStoreOnLocalStackTest} runs it against LocalStack where a Docker engine exists.
 */
class SecretStoresTest {

    @Test
    void configStoreSplitsTrimsAndKeepsTheOrderAndPurposes() {
        ConfigSecretStore store = new ConfigSecretStore(TestConfigs.config(Map.of(
                "webhook-secrets.meta.acme", " new , old ,,",
                "webhook-secrets.meta.acme.verify-token", "token-1")));
        assertThat(store.webhookSecrets("meta", "acme")).containsExactly("new", "old");
        assertThat(store.webhookSecrets("meta", "acme", "verify-token")).containsExactly("token-1");
        assertThat(store.webhookSecrets("meta", "globex")).isEmpty();
    }

    @Test
    void foundSecretsAreKeptForTheTtlAndThenReadAgain() {
        MutableClock clock = new MutableClock();
        CountingStore source = new CountingStore(List.of("s1"));
        CachingSecretStore cache = new CachingSecretStore(source, clock, Duration.ofMinutes(5), Duration.ofSeconds(30), 100);
        assertThat(cache.webhookSecrets("app", "acme")).containsExactly("s1");
        source.answer.set(List.of("s2", "s1"));
        clock.advance(Duration.ofMinutes(4));
        assertThat(cache.webhookSecrets("app", "acme")).containsExactly("s1");
        assertThat(source.calls).hasSize(1);
        clock.advance(Duration.ofMinutes(1));
        assertThat(cache.webhookSecrets("app", "acme")).as("a rotation shows within the ttl").containsExactly("s2", "s1");
        assertThat(source.calls).hasSize(2);
    }

    @Test
    void anUnknownTenantIsRememberedForTheShorterNegativeTtl() {
        MutableClock clock = new MutableClock();
        CountingStore source = new CountingStore(List.of());
        CachingSecretStore cache = new CachingSecretStore(source, clock, Duration.ofMinutes(5), Duration.ofSeconds(30), 100);
        for (int i = 0; i < 50; i++) {
            assertThat(cache.webhookSecrets("app", "globex")).isEmpty();
        }
        assertThat(source.calls).as("fifty deliveries, one lookup").hasSize(1);
        clock.advance(Duration.ofSeconds(30));
        cache.webhookSecrets("app", "globex");
        assertThat(source.calls).hasSize(2);
    }

    @Test
    void purposesAreCachedApart() {
        CountingStore source = new CountingStore(List.of("x"));
        CachingSecretStore cache = new CachingSecretStore(source, new MutableClock(), Duration.ofMinutes(5), Duration.ofSeconds(30), 100);
        cache.webhookSecrets("meta", "acme");
        cache.webhookSecrets("meta", "acme", "verify-token");
        assertThat(source.calls).containsExactly("meta/acme/signing", "meta/acme/verify-token");
    }

    @Test
    void whenTheStoreFailsTheLastAnswerIsServedAndWithoutOneTheFailurePropagates() {
        MutableClock clock = new MutableClock();
        CountingStore source = new CountingStore(List.of("s1"));
        CachingSecretStore cache = new CachingSecretStore(source, clock, Duration.ofMinutes(5), Duration.ofSeconds(30), 100);
        cache.webhookSecrets("app", "acme");
        source.failing.set(true);
        clock.advance(Duration.ofMinutes(10));
        assertThat(cache.webhookSecrets("app", "acme")).containsExactly("s1");
        assertThatThrownBy(() -> cache.webhookSecrets("app", "other"))
                .isInstanceOf(SecretStore.SecretStoreUnavailableException.class);
    }

    @Test
    void theNumberOfEntriesIsBounded() {
        MutableClock clock = new MutableClock();
        CachingSecretStore cache = new CachingSecretStore(new CountingStore(List.of()), clock, Duration.ofMinutes(5),
                Duration.ofSeconds(30), 10);
        for (int i = 0; i < 100; i++) {
            cache.webhookSecrets("app", "tenant-" + i);
        }
        assertThat(cache.size()).isLessThanOrEqualTo(10);
    }

    static final class CountingStore implements SecretStore {
        final AtomicReference<List<String>> answer;
        final AtomicBoolean failing = new AtomicBoolean();
        final List<String> calls = new ArrayList<>();

        CountingStore(List<String> answer) {
            this.answer = new AtomicReference<>(answer);
        }

        @Override
        public List<String> webhookSecrets(String system, String tenant, String purpose) {
            if (failing.get()) {
                throw new SecretStoreUnavailableException("down", null);
            }
            calls.add(system + "/" + tenant + "/" + purpose);
            return answer.get();
        }
    }

    static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-11-20T10:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
