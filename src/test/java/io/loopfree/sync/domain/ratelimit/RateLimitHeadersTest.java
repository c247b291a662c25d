package io.loopfree.sync.domain.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** Every header family with the examples of docs/safety-valves.md. */
class RateLimitHeadersTest {

    private static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");
    private static final List<String> ALL = List.of("ietf", "x-ratelimit", "retry-after", "hubspot", "salesforce");

    private static Map<String, List<String>> headers(String... pairs) {
        java.util.Map<String, List<String>> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], List.of(pairs[i + 1]));
        }
        return map;
    }

    @Test
    void ietfCurrentDraftWithItsPolicy() {
        List<RateLimitUsage> usages = RateLimitHeaders.read(List.of("ietf"), headers(
                "ratelimit", "\"default\";r=50;t=30", "ratelimit-policy", "\"default\";q=100;w=60"), NOW);
        assertThat(usages).containsExactly(new RateLimitUsage("default", 100, 50, Optional.of(NOW.plusSeconds(30))));
        assertThat(usages.get(0).usedFraction()).contains(0.5);
    }

    @Test
    void ietfDraftWithSeveralPoliciesPicksTheTightest() {
        List<RateLimitUsage> usages = RateLimitHeaders.read(List.of("ietf"), headers(
                "ratelimit", "\"burst\";r=1;t=5, \"day\";r=900;t=3600",
                "ratelimit-policy", "\"burst\";q=10;w=10, \"day\";q=1000;w=86400"), NOW);
        assertThat(usages).hasSize(2);
        assertThat(RateLimitHeaders.tightest(usages)).get().extracting(RateLimitUsage::policy).isEqualTo("burst");
    }

    @Test
    void ietfDraftWithoutPolicyKnowsOnlyWhatRemains() {
        RateLimitUsage usage = RateLimitHeaders.read(List.of("ietf"), headers("ratelimit", "\"default\";r=0;t=12"), NOW)
                .get(0);
        assertThat(usage.limit()).isEqualTo(RateLimitUsage.UNKNOWN);
        assertThat(usage.usedFraction()).as("nothing left is exhausted, whatever the quota").contains(1.0);
        assertThat(usage.resetAt()).contains(NOW.plusSeconds(12));
    }

    @Test
    void ietfOlderFieldsIncludingTheLimitWithAPolicySuffix() {
        RateLimitUsage usage = RateLimitHeaders.read(List.of("ietf"), headers("ratelimit-limit", "100, 100;w=60",
                "ratelimit-remaining", "7", "ratelimit-reset", "20"), NOW).get(0);
        assertThat(usage).isEqualTo(new RateLimitUsage("default", 100, 7, Optional.of(NOW.plusSeconds(20))));
        assertThat(usage.usedFraction()).contains(0.93);
    }

    @Test
    void xRateLimitResetAsDeltaSecondsAsEpochSecondsAndAsEpochMillis() {
        assertThat(RateLimitHeaders.read(List.of("x-ratelimit"), headers("x-ratelimit-limit", "5000",
                "x-ratelimit-remaining", "4999", "x-ratelimit-reset", "30"), NOW).get(0).resetAt())
                .contains(NOW.plusSeconds(30));
        // GitHub: the reset is an epoch second
        assertThat(RateLimitHeaders.read(List.of("x-ratelimit"), headers("x-ratelimit-limit", "5000",
                "x-ratelimit-remaining", "0", "x-ratelimit-reset", Long.toString(NOW.getEpochSecond() + 1800)), NOW)
                .get(0)).isEqualTo(new RateLimitUsage("default", 5000, 0, Optional.of(NOW.plusSeconds(1800))));
        assertThat(RateLimitHeaders.read(List.of("x-ratelimit"), headers("x-ratelimit-remaining", "3",
                "x-ratelimit-reset", Long.toString(NOW.toEpochMilli() + 5000)), NOW).get(0).resetAt())
                .contains(NOW.plusSeconds(5));
    }

    @Test
    void hubspotIntervalAndDaily() {
        List<RateLimitUsage> usages = RateLimitHeaders.read(List.of("hubspot"), headers(
                "x-hubspot-ratelimit-max", "100", "x-hubspot-ratelimit-remaining", "97",
                "x-hubspot-ratelimit-interval-milliseconds", "10000",
                "x-hubspot-ratelimit-daily", "250000", "x-hubspot-ratelimit-daily-remaining", "10000"), NOW);
        assertThat(usages).containsExactly(
                new RateLimitUsage("interval", 100, 97, Optional.of(NOW.plusSeconds(10))),
                new RateLimitUsage("daily", 250000, 10000, Optional.empty()));
        assertThat(RateLimitHeaders.tightest(usages)).get().extracting(RateLimitUsage::policy).isEqualTo("daily");
    }

    @Test
    void salesforceApiUsage() {
        assertThat(RateLimitHeaders.read(List.of("salesforce"), headers("sforce-limit-info", "api-usage=18/5000"), NOW))
                .containsExactly(new RateLimitUsage("api-usage", 5000, 4982, Optional.empty()));
        assertThat(RateLimitHeaders.read(List.of("salesforce"), headers("sforce-limit-info",
                "per-app-api-usage=17/250(appName=sample), api-usage=4990/5000"), NOW).get(0).usedFraction())
                .contains(0.998);
    }

    @Test
    void onlyTheFamiliesTheProfileListsAreRead() {
        Map<String, List<String>> both = headers("x-ratelimit-limit", "10", "x-ratelimit-remaining", "0",
                "sforce-limit-info", "api-usage=1/5000");
        assertThat(RateLimitHeaders.read(List.of("salesforce"), both, NOW)).hasSize(1);
        assertThat(RateLimitHeaders.read(List.of(), both, NOW)).isEmpty();
        assertThat(RateLimitHeaders.read(ALL, both, NOW)).hasSize(2);
    }

    @Test
    void garbageIsIgnoredNeverThrown() {
        assertThat(RateLimitHeaders.read(ALL, headers("ratelimit", ";;;=,,", "ratelimit-policy", "\"x\";q=abc",
                "x-ratelimit-limit", "lots", "x-ratelimit-remaining", "-5", "sforce-limit-info", "api-usage=/",
                "x-hubspot-ratelimit-max", "99999999999999999999999"), NOW)).allSatisfy(u ->
                assertThat(u.usedFraction().orElse(0.0)).isBetween(0.0, 1.0));
        assertThat(RateLimitHeaders.read(ALL, headers("x-ratelimit-reset", "99999999999999"), NOW)).isEmpty();
    }

    @Test
    void retryAfterSecondsOrHttpDateWhenTheProfileListsIt() {
        assertThat(RateLimitHeaders.retryAt(ALL, headers("retry-after", "120"), NOW)).contains(NOW.plusSeconds(120));
        assertThat(RateLimitHeaders.retryAt(ALL, headers("retry-after", "Fri, 20 Nov 2026 10:05:00 GMT"), NOW))
                .contains(Instant.parse("2026-11-20T10:05:00Z"));
        assertThat(RateLimitHeaders.retryAt(List.of("salesforce"), headers("retry-after", "120"), NOW)).isEmpty();
    }
}
