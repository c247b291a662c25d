package io.loopfree.sync.domain.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a provider's rate-limit headers (names lower-cased, as {@code OutboundResponse} keeps them) for the header
 * families its outbound profile lists ({@code rateLimitHeaders}); pure, never throws on what a provider sends:
 * <ul>
 * <li>{@code ietf}: the current draft {@code RateLimit: "default";r=50;t=30} with
 * {@code RateLimit-Policy: "default";q=100;w=60}, and the older {@code RateLimit-Limit: 100},
 * {@code RateLimit-Remaining: 50}, {@code RateLimit-Reset: 30} (delta seconds);</li>
 * <li>{@code x-ratelimit}: {@code X-RateLimit-Limit: 5000}, {@code X-RateLimit-Remaining: 4999},
 * {@code X-RateLimit-Reset}: delta seconds ({@code 30}) or epoch seconds as GitHub sends it ({@code 1795168830})
 * or epoch milliseconds;</li>
 * <li>{@code hubspot}: {@code X-HubSpot-RateLimit-Max: 100}, {@code -Remaining: 97},
 * {@code -Interval-Milliseconds: 10000} (the window; the reset is at most that far), and the daily
 * {@code X-HubSpot-RateLimit-Daily} / {@code -Daily-Remaining};</li>
 * <li>{@code salesforce}: {@code Sforce-Limit-Info: api-usage=18/5000} (a rolling 24 h: no reset);</li>
 * <li>{@code retry-after}: read by {@link RetryAfter}, see {@link #retryAt}.</li>
 * </ul>
 */
public final class RateLimitHeaders {

    /** Values above this are an epoch, not a delta (2001-09-09 in epoch seconds; no window is 31 years long). */
    private static final long EPOCH_SECONDS_FLOOR = 1_000_000_000L;
    private static final long EPOCH_MILLIS_FLOOR = 1_000_000_000_000L;
    private static final long MAX_DELTA_SECONDS = 7L * 24 * 3600;

    private RateLimitHeaders() {
    }

    /**
     * Every policy the listed families report, in the order found. The most used one decides: {@link #tightest}.
     */
    public static List<RateLimitUsage> read(List<String> families, Map<String, List<String>> headers, Instant now) {
        List<RateLimitUsage> found = new ArrayList<>();
        if (families == null || headers == null) {
            return found;
        }
        for (String family : families) {
            switch (family == null ? "" : family.toLowerCase(Locale.ROOT)) {
                case "ietf" -> {
                    found.addAll(ietfDraft(first(headers, "ratelimit"), first(headers, "ratelimit-policy"), now));
                    older("ratelimit-", headers, now, false).ifPresent(found::add);
                }
                case "x-ratelimit" -> older("x-ratelimit-", headers, now, true).ifPresent(found::add);
                case "hubspot" -> found.addAll(hubspot(headers, now));
                case "salesforce" -> salesforce(first(headers, "sforce-limit-info")).ifPresent(found::add);
                default -> {
                    // retry-after (read by retryAt) or a family this engine does not know: nothing to read
                }
            }
        }
        return found;
    }

    /** The policy closest to exhaustion (highest used share), if any says. */
    public static Optional<RateLimitUsage> tightest(List<RateLimitUsage> usages) {
        return usages.stream().filter(u -> u.usedFraction().isPresent())
                .max(Comparator.comparingDouble(u -> u.usedFraction().get()));
    }

    /** {@code Retry-After} when the profile lists {@code retry-after} (or lists nothing: every 429 may carry it). */
    public static Optional<Instant> retryAt(List<String> families, Map<String, List<String>> headers, Instant now) {
        if (families != null && !families.isEmpty() && !families.contains("retry-after")) {
            return Optional.empty();
        }
        return RetryAfter.parse(first(headers, "retry-after"), now);
    }

    /** {@code "default";r=50;t=30} (several policies comma-separated) with their {@code q=…;w=…} policies. */
    static List<RateLimitUsage> ietfDraft(String rateLimit, String policy, Instant now) {
        List<RateLimitUsage> usages = new ArrayList<>();
        if (rateLimit == null) {
            return usages;
        }
        List<Map.Entry<String, Map<String, String>>> policies = structuredList(policy);
        for (Map.Entry<String, Map<String, String>> item : structuredList(rateLimit)) {
            long remaining = number(item.getValue().get("r"));
            long reset = number(item.getValue().get("t"));
            long quota = policies.stream().filter(p -> p.getKey().equals(item.getKey())).findFirst()
                    .map(p -> number(p.getValue().get("q"))).orElse(RateLimitUsage.UNKNOWN);
            if (remaining == RateLimitUsage.UNKNOWN) {
                continue;
            }
            usages.add(new RateLimitUsage(item.getKey(), quota, remaining,
                    reset < 0 ? Optional.empty() : Optional.of(now.plusSeconds(Math.min(reset, MAX_DELTA_SECONDS)))));
        }
        return usages;
    }

    /** {@code <prefix>limit}, {@code remaining}, {@code reset}; the reset as delta seconds, or an epoch if allowed. */
    static Optional<RateLimitUsage> older(String prefix, Map<String, List<String>> headers, Instant now,
            boolean epochAllowed) {
        long limit = leadingNumber(first(headers, prefix + "limit"));
        long remaining = leadingNumber(first(headers, prefix + "remaining"));
        if (limit == RateLimitUsage.UNKNOWN && remaining == RateLimitUsage.UNKNOWN) {
            return Optional.empty();
        }
        long reset = leadingNumber(first(headers, prefix + "reset"));
        Optional<Instant> resetAt;
        if (reset < 0) {
            resetAt = Optional.empty();
        } else if (epochAllowed && reset >= EPOCH_MILLIS_FLOOR) {
            resetAt = Optional.of(Instant.ofEpochMilli(reset));
        } else if (epochAllowed && reset >= EPOCH_SECONDS_FLOOR) {
            resetAt = Optional.of(Instant.ofEpochSecond(reset));
        } else {
            resetAt = Optional.of(now.plusSeconds(Math.min(reset, MAX_DELTA_SECONDS)));
        }
        if (resetAt.isPresent() && resetAt.get().isAfter(now.plusSeconds(MAX_DELTA_SECONDS))) {
            resetAt = Optional.of(now.plusSeconds(MAX_DELTA_SECONDS));
        }
        return Optional.of(new RateLimitUsage("default", limit, remaining, resetAt));
    }

    static List<RateLimitUsage> hubspot(Map<String, List<String>> headers, Instant now) {
        List<RateLimitUsage> usages = new ArrayList<>();
        long max = leadingNumber(first(headers, "x-hubspot-ratelimit-max"));
        long remaining = leadingNumber(first(headers, "x-hubspot-ratelimit-remaining"));
        long interval = leadingNumber(first(headers, "x-hubspot-ratelimit-interval-milliseconds"));
        if (max != RateLimitUsage.UNKNOWN || remaining != RateLimitUsage.UNKNOWN) {
            usages.add(new RateLimitUsage("interval", max, remaining, interval < 0 ? Optional.empty()
                    : Optional.of(now.plus(Duration.ofMillis(Math.min(interval, MAX_DELTA_SECONDS * 1000))))));
        }
        long daily = leadingNumber(first(headers, "x-hubspot-ratelimit-daily"));
        long dailyRemaining = leadingNumber(first(headers, "x-hubspot-ratelimit-daily-remaining"));
        if (daily != RateLimitUsage.UNKNOWN && dailyRemaining != RateLimitUsage.UNKNOWN) {
            usages.add(new RateLimitUsage("daily", daily, dailyRemaining, Optional.empty()));
        }
        return usages;
    }

    /** {@code api-usage=18/5000} (other {@code key=used/limit} pairs, comma-separated, are ignored). */
    static Optional<RateLimitUsage> salesforce(String value) {
        if (value == null) {
            return Optional.empty();
        }
        for (String part : value.split(",")) {
            String[] pair = part.strip().split("=", 2);
            if (pair.length == 2 && pair[0].strip().equalsIgnoreCase("api-usage")) {
                String[] figures = pair[1].strip().split("/", 2);
                if (figures.length == 2) {
                    long used = number(figures[0].strip());
                    long limit = number(figures[1].strip());
                    if (used >= 0 && limit > 0) {
                        return Optional.of(new RateLimitUsage("api-usage", limit, Math.max(0, limit - used),
                                Optional.empty()));
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** A list of structured-field items, {@code "name";k=v;k=v, …}, as name → parameters (names unquoted). */
    private static List<Map.Entry<String, Map<String, String>>> structuredList(String value) {
        List<Map.Entry<String, Map<String, String>>> items = new ArrayList<>();
        if (value == null) {
            return items;
        }
        for (String member : value.split(",")) {
            String[] parts = member.split(";");
            String name = parts[0].strip();
            if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
                name = name.substring(1, name.length() - 1);
            }
            Map<String, String> params = new java.util.LinkedHashMap<>();
            for (int i = 1; i < parts.length; i++) {
                String[] kv = parts[i].split("=", 2);
                if (kv.length == 2) {
                    params.put(kv[0].strip().toLowerCase(Locale.ROOT), kv[1].strip());
                }
            }
            if (!name.isEmpty() || !params.isEmpty()) {
                items.add(Map.entry(name.isEmpty() ? "default" : name, params));
            }
        }
        return items;
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** The first number of a value such as {@code 100, 100;w=60} (the older draft's limit form); -1 when none. */
    private static long leadingNumber(String value) {
        if (value == null) {
            return RateLimitUsage.UNKNOWN;
        }
        String text = value.strip();
        int end = 0;
        while (end < text.length() && end < 18 && Character.isDigit(text.charAt(end))) {
            end++;
        }
        return end == 0 ? RateLimitUsage.UNKNOWN : Long.parseLong(text.substring(0, end));
    }

    private static long number(String value) {
        if (value == null) {
            return RateLimitUsage.UNKNOWN;
        }
        String text = value.strip();
        if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(Character::isDigit)) {
            return RateLimitUsage.UNKNOWN;
        }
        return Long.parseLong(text);
    }
}
