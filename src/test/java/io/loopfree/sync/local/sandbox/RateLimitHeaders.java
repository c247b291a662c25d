package io.loopfree.sync.local.sandbox;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The rate-limit header families providers use in the wild, so the engine's header parsing meets each of them.
 * All report the same window: limit, remaining, and time to reset.
 */
public enum RateLimitHeaders {
    /**
     * IETF httpapi draft (structured fields): {@code RateLimit: "default";r=…;t=…},
     * {@code RateLimit-Policy: "default";q=…;w=…}.
     */
    IETF_DRAFT,
    /** The older IETF draft: {@code RateLimit-Limit}, {@code -Remaining}, {@code -Reset} (delta seconds). */
    IETF_OLD,
    /** GitHub-style: {@code X-RateLimit-Limit}, {@code -Remaining}, {@code -Reset} (delta seconds here). */
    X_RATELIMIT,
    /** HubSpot: {@code X-HubSpot-RateLimit-Max}, {@code -Remaining}, {@code -Interval-Milliseconds}. */
    HUBSPOT,
    /** Salesforce: {@code Sforce-Limit-Info: api-usage=used/limit}. */
    SALESFORCE;

    Map<String, String> headers(RateLimitWindow.Decision decision) {
        Map<String, String> headers = new LinkedHashMap<>();
        String remaining = Integer.toString(decision.remaining());
        String limit = Integer.toString(decision.limit());
        String reset = Long.toString(decision.resetSeconds());
        switch (this) {
            case IETF_DRAFT -> {
                headers.put("RateLimit", "\"default\";r=" + remaining + ";t=" + reset);
                headers.put("RateLimit-Policy", "\"default\";q=" + limit + ";w=" + decision.window().toSeconds());
            }
            case IETF_OLD -> {
                headers.put("RateLimit-Limit", limit);
                headers.put("RateLimit-Remaining", remaining);
                headers.put("RateLimit-Reset", reset);
            }
            case X_RATELIMIT -> {
                headers.put("X-RateLimit-Limit", limit);
                headers.put("X-RateLimit-Remaining", remaining);
                headers.put("X-RateLimit-Reset", reset);
            }
            case HUBSPOT -> {
                headers.put("X-HubSpot-RateLimit-Max", limit);
                headers.put("X-HubSpot-RateLimit-Remaining", remaining);
                headers.put("X-HubSpot-RateLimit-Interval-Milliseconds", Long.toString(decision.window().toMillis()));
            }
            case SALESFORCE -> headers.put("Sforce-Limit-Info", "api-usage=" + decision.used() + "/" + limit);
            default -> throw new IllegalStateException("unknown family " + this);
        }
        return headers;
    }
}
