package io.loopfree.sync.domain;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.loopfree.sync.adapters.profiles.JsonProfileRepository;
import io.loopfree.sync.domain.webhook.ProviderProfile;
import io.loopfree.sync.domain.webhook.SignatureScheme;
import io.loopfree.sync.domain.webhook.SignatureSchemes;
import io.loopfree.sync.domain.webhook.WebhookRequest;

/**
 * Each shipped profile's scheme with a sender written here from the provider's documentation, independently of
 * the production code: it signs a body with a secret at a time, and can damage the MAC before encoding it. The
 * verifier under test is built from the shipped profile file, so the profiles are tested too.
 */
final class ProviderCases {

    static final String HOST = "hooks.test";

    /** Signs like the provider; {@code damage} is applied to the raw MAC bytes before they are encoded. */
    interface Sender {
        WebhookRequest sign(byte[] body, String secret, Instant at, UnaryOperator<byte[]> damage);
    }

    record Case(String system, String secret, String otherSecret, boolean timestamped, List<String> signedHeaders,
            Sender sender) {

        private static final Map<String, SignatureScheme> SCHEMES = new java.util.concurrent.ConcurrentHashMap<>();

        SignatureScheme scheme() {
            return SCHEMES.computeIfAbsent(system, s -> {
                ProviderProfile profile = new JsonProfileRepository(Optional.empty()).find(s).orElseThrow();
                return SignatureSchemes.forProfile(profile, Optional.empty());
            });
        }

        WebhookRequest sign(byte[] body, Instant at) {
            return sender.sign(body, secret, at, UnaryOperator.identity());
        }

        /** The request carrying another payload under the signature made for {@code signed}. */
        WebhookRequest withPayload(WebhookRequest signed, byte[] payload, Instant at) {
            WebhookRequest carrier = sender.sign(payload, secret, at, UnaryOperator.identity());
            return withBody(signed, carrier.body());
        }

        @Override
        public String toString() {
            return system;
        }
    }

    private ProviderCases() {
    }

    /** The schemes that sign the body (Graph's client state does not: it has its own tests). */
    static List<Case> bodySigning() {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("app", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_b3RoZXItc2VjcmV0LWtleQ==", true,
                List.of("webhook-id", "webhook-timestamp"), (body, secret, at, damage) -> {
                    byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
                    String id = "msg_case";
                    byte[] mac = damage.apply(hmac("HmacSHA256", key, concat((id + "." + at.getEpochSecond() + ".").getBytes(), body)));
                    return request("app", Map.of("webhook-id", id, "webhook-timestamp", Long.toString(at.getEpochSecond()),
                            "webhook-signature", "v1," + Base64.getEncoder().encodeToString(mac)), body);
                }));
        cases.add(new Case("stripe", "whsec_stripe_case", "whsec_other", true, List.of(), (body, secret, at, damage) -> {
            long t = at.getEpochSecond();
            byte[] mac = damage.apply(hmac("HmacSHA256", utf8(secret), concat((t + ".").getBytes(), body)));
            return request("stripe", Map.of("Stripe-Signature", "t=" + t + ",v1=" + hex(mac)), body);
        }));
        cases.add(new Case("github", "It's a Secret to Everybody", "another secret", false, List.of(), (body, secret, at, damage) ->
                request("github", Map.of("X-Hub-Signature-256", "sha256=" + hex(damage.apply(hmac("HmacSHA256", utf8(secret), body))),
                        "X-GitHub-Delivery", "d-1"), body)));
        cases.add(new Case("slack", "8f742231b10e8888abcd99yyyzzz85a5", "another", true, List.of("X-Slack-Request-Timestamp"),
                (body, secret, at, damage) -> {
                    String ts = Long.toString(at.getEpochSecond());
                    byte[] mac = damage.apply(hmac("HmacSHA256", utf8(secret), concat(("v0:" + ts + ":").getBytes(), body)));
                    return request("slack", Map.of("X-Slack-Request-Timestamp", ts, "X-Slack-Signature", "v0=" + hex(mac)), body);
                }));
        cases.add(new Case("hubspot", "hubspot-client-secret", "another", true, List.of("X-HubSpot-Request-Timestamp"),
                (body, secret, at, damage) -> {
                    String ts = Long.toString(at.toEpochMilli());
                    byte[] content = concat(("POST" + "https://" + HOST + "/webhooks/hubspot/acme").getBytes(), body, ts.getBytes());
                    byte[] mac = damage.apply(hmac("HmacSHA256", utf8(secret), content));
                    return request("hubspot", Map.of("X-HubSpot-Request-Timestamp", ts,
                            "X-HubSpot-Signature-v3", Base64.getEncoder().encodeToString(mac)), body);
                }));
        cases.add(new Case("shopify", "shpss_case", "shpss_other", false, List.of(), (body, secret, at, damage) ->
                request("shopify", Map.of("X-Shopify-Hmac-Sha256",
                        Base64.getEncoder().encodeToString(damage.apply(hmac("HmacSHA256", utf8(secret), body))),
                        "X-Shopify-Webhook-Id", "w-1"), body)));
        cases.add(new Case("zoom", "zoom-secret", "another", true, List.of("x-zm-request-timestamp"), (body, secret, at, damage) -> {
            String ts = Long.toString(at.getEpochSecond());
            byte[] mac = damage.apply(hmac("HmacSHA256", utf8(secret), concat(("v0:" + ts + ":").getBytes(), body)));
            return request("zoom", Map.of("x-zm-request-timestamp", ts, "x-zm-signature", "v0=" + hex(mac)), body);
        }));
        cases.add(new Case("smartsheet", "smartsheet-secret", "another", false, List.of(), (body, secret, at, damage) ->
                request("smartsheet", Map.of("Smartsheet-Hmac-SHA256", hex(damage.apply(hmac("HmacSHA256", utf8(secret), body)))), body)));
        cases.add(new Case("meta", "meta-app-secret", "another", false, List.of(), (body, secret, at, damage) ->
                request("meta", Map.of("X-Hub-Signature-256", "sha256=" + hex(damage.apply(hmac("HmacSHA256", utf8(secret), body)))), body)));
        cases.add(new Case("twilio", "twilio-auth-token", "another", false, List.of(), (body, secret, at, damage) -> {
            // the body is sent as one form parameter, so any body is a valid Twilio form post
            String form = "Body=" + URLEncoder.encode(new String(body, StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8) + "&From=%2B14158675309";
            String signed = "https://" + HOST + "/webhooks/twilio/acme" + "Body" + new String(body, StandardCharsets.ISO_8859_1) + "From+14158675309";
            byte[] mac = damage.apply(hmac("HmacSHA1", utf8(secret), utf8(signed)));
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("X-Twilio-Signature", Base64.getEncoder().encodeToString(mac));
            headers.put("content-type", "application/x-www-form-urlencoded");
            return request("twilio", headers, form.getBytes(StandardCharsets.UTF_8));
        }));
        cases.add(new Case("generic-hmac", "generic-secret", "another", true, List.of("X-Signature-Timestamp"),
                (body, secret, at, damage) -> {
                    String ts = Long.toString(at.getEpochSecond());
                    byte[] mac = damage.apply(hmac("HmacSHA256", utf8(secret), concat((ts + ".").getBytes(), body)));
                    return request("generic-hmac", Map.of("X-Signature-Timestamp", ts, "X-Signature", hex(mac)), body);
                }));
        return cases;
    }

    static WebhookRequest request(String system, Map<String, String> signatureHeaders, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("host", HOST);
        headers.put("x-forwarded-proto", "https");
        headers.put("content-type", "application/json");
        headers.putAll(signatureHeaders);
        return new WebhookRequest("POST", "/webhooks/" + system + "/acme", "", headers, body);
    }

    static WebhookRequest withBody(WebhookRequest request, byte[] body) {
        return new WebhookRequest(request.method(), request.path(), request.rawQueryString(), request.headers(), body);
    }

    static WebhookRequest withHeader(WebhookRequest request, String name, String value) {
        Map<String, String> headers = new LinkedHashMap<>(request.headers());
        headers.keySet().removeIf(h -> h.equalsIgnoreCase(name));
        if (value != null) {
            headers.put(name, value);
        }
        return new WebhookRequest(request.method(), request.path(), request.rawQueryString(), headers, request.body());
    }

    static byte[] hmac(String algorithm, byte[] key, byte[] content) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            return mac.doFinal(content);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }
}
