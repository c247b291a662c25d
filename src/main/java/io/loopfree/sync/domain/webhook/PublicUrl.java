package io.loopfree.sync.domain.webhook;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The URL the provider called, which some providers sign (HubSpot v3, Twilio). Behind API Gateway we never see it
 * whole, so it is rebuilt from the event: {@code x-forwarded-proto} (API Gateway sets it; https when absent),
 * the {@code host} header (the API's domain, or the custom domain the provider called), {@code x-forwarded-port}
 * when it is not the scheme's default, then {@code rawPath} and {@code rawQueryString} exactly as received.
 * <p>
 * That holds for the default endpoint and for a custom domain whose API mapping keeps the path. When it does not
 * (an API mapping key or a stage prefix the provider's URL has and rawPath lacks, or a proxy in front), the
 * deployment or the profile sets the public base URL, e.g. {@code https://hooks.example.com/prod}, which then
 * replaces scheme, host and port, and is followed by rawPath and the query.
 */
public final class PublicUrl {

    private PublicUrl() {
    }

    public static String of(WebhookRequest request, Optional<String> publicBaseUrl) {
        String base = publicBaseUrl.filter(b -> !b.isBlank()).map(PublicUrl::trimTrailingSlash)
                .orElseGet(() -> fromHeaders(request));
        String query = request.rawQueryString().isEmpty() ? "" : "?" + request.rawQueryString();
        return base + request.path() + query;
    }

    /**
     * The URL as given and the same URL with its default port written out or left out: senders differ in which
     * they sign (Twilio's own validators try both).
     */
    public static List<String> withAndWithoutDefaultPort(String url) {
        List<String> candidates = new ArrayList<>();
        candidates.add(url);
        int schemeEnd = url.indexOf("://");
        if (schemeEnd < 0) {
            return candidates;
        }
        String scheme = url.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        String defaultPort = scheme.equals("https") ? "443" : scheme.equals("http") ? "80" : null;
        if (defaultPort == null) {
            return candidates;
        }
        int authorityStart = schemeEnd + 3;
        int authorityEnd = indexOfAny(url, authorityStart, '/', '?', '#');
        String authority = url.substring(authorityStart, authorityEnd);
        String rest = url.substring(authorityEnd);
        String prefix = url.substring(0, authorityStart);
        if (authority.endsWith(":" + defaultPort)) {
            candidates.add(prefix + authority.substring(0, authority.length() - defaultPort.length() - 1) + rest);
        } else if (!authority.contains(":")) {
            candidates.add(prefix + authority + ":" + defaultPort + rest);
        }
        return candidates;
    }

    private static String fromHeaders(WebhookRequest request) {
        String scheme = request.header("x-forwarded-proto").map(p -> p.split(",")[0].trim().toLowerCase(Locale.ROOT))
                .filter(p -> !p.isEmpty()).orElse("https");
        String host = request.header("host").map(String::trim).orElse("");
        String port = request.header("x-forwarded-port").map(p -> p.split(",")[0].trim()).orElse("");
        boolean defaultPort = port.isEmpty() || (scheme.equals("https") && port.equals("443"))
                || (scheme.equals("http") && port.equals("80"));
        String authority = defaultPort || host.contains(":") ? host : host + ":" + port;
        return scheme + "://" + authority;
    }

    private static String trimTrailingSlash(String base) {
        String trimmed = base.trim();
        return trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
    }

    private static int indexOfAny(String text, int from, char... chars) {
        for (int i = from; i < text.length(); i++) {
            for (char c : chars) {
                if (text.charAt(i) == c) {
                    return i;
                }
            }
        }
        return text.length();
    }
}
