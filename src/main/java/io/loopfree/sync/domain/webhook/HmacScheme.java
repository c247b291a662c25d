package io.loopfree.sync.domain.webhook;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The generic HMAC scheme most providers use, set up entirely from the profile: a header carrying
 * {@code prefix + encode(HMAC(key, signedContent))}, optionally a timestamp header bounding replays. GitHub,
 * Shopify, Slack, Zoom, HubSpot v3, Smartsheet and Meta are all this scheme with different parameters.
 */
public final class HmacScheme implements SignatureScheme {

    private final String header;
    private final Hmacs.Algorithm algorithm;
    private final Hmacs.Encoding encoding;
    private final String prefix;
    private final Optional<Pattern> separator;
    private final Optional<String> timestampHeader;
    private final SignatureSpec.TimestampUnit timestampUnit;
    private final ReplayWindow window;
    private final SignedContentTemplate signedContent;
    private final List<String> urlDecodes;
    private final SignatureSpec.SecretFormat secretFormat;
    private final Optional<String> publicBaseUrl;

    public HmacScheme(SignatureSpec spec, Optional<String> publicBaseUrl) {
        this.header = spec.header().filter(h -> !h.isBlank())
                .orElseThrow(() -> new IllegalArgumentException("signature.header is required for the hmac scheme"));
        this.algorithm = spec.algorithm();
        this.encoding = spec.encoding();
        this.prefix = spec.prefix();
        this.separator = spec.separator().map(Pattern::quote).map(s -> Pattern.compile("(" + s + ")+"));
        this.timestampHeader = spec.timestampHeader().filter(h -> !h.isBlank());
        this.timestampUnit = spec.timestampUnit();
        this.window = new ReplayWindow(spec.tolerance());
        this.signedContent = new SignedContentTemplate(spec.signedContent());
        this.urlDecodes = spec.urlDecodes();
        this.secretFormat = spec.secretFormat();
        this.publicBaseUrl = publicBaseUrl;
        if (signedContent.uses("timestamp") && timestampHeader.isEmpty()) {
            throw new IllegalArgumentException("signedContent uses {timestamp} but signature.timestampHeader is not set");
        }
        for (String escape : urlDecodes) {
            if (!escape.matches("%[0-9A-Fa-f]{2}")) {
                throw new IllegalArgumentException("urlDecodes entry '" + escape + "' is not a percent-escape like %3A");
            }
        }
    }

    @Override
    public Verification verify(WebhookRequest request, List<String> activeSecrets, Instant now) {
        Optional<String> signatureHeader = request.header(header).filter(v -> !v.isBlank());
        if (signatureHeader.isEmpty()) {
            return Verification.rejected("missing header: " + header + " is required");
        }
        Optional<String> timestamp = Optional.empty();
        if (timestampHeader.isPresent()) {
            timestamp = request.header(timestampHeader.get()).map(String::trim).filter(v -> !v.isEmpty());
            if (timestamp.isEmpty()) {
                return Verification.rejected("missing header: " + timestampHeader.get() + " is required");
            }
            Optional<Instant> signedAt = ReplayWindow.parseEpoch(timestamp.get(), timestampUnit);
            if (signedAt.isEmpty()) {
                return Verification.rejected("malformed " + timestampHeader.get() + ": not epoch " + timestampUnit);
            }
            Optional<String> outside = window.check(signedAt.get(), now);
            if (outside.isPresent()) {
                return Verification.rejected(outside.get());
            }
        }
        List<byte[]> presented = presentedSignatures(signatureHeader.get());
        if (presented.isEmpty()) {
            return Verification.rejected("malformed " + header + ": expected " + (prefix.isEmpty() ? "" : prefix + "<")
                    + encoding + (prefix.isEmpty() ? "" : ">"));
        }
        String url = decodeEscapes(PublicUrl.of(request, publicBaseUrl));
        byte[] content = signedContent.render(new SignedContentTemplate.Inputs(request.method(), url, request.path(),
                request.rawQueryString(), timestamp, request), request.body());
        for (int i = 0; i < activeSecrets.size(); i++) {
            Optional<byte[]> key = secretFormat.key(activeSecrets.get(i));
            if (key.isEmpty()) {
                continue;
            }
            byte[] expected = algorithm.mac(key.get(), content);
            for (byte[] candidate : presented) {
                if (Hmacs.equal(expected, candidate)) {
                    return Verification.verified(i);
                }
            }
        }
        return Verification.rejected("signature mismatch");
    }

    private List<byte[]> presentedSignatures(String value) {
        List<String> entries = separator.map(s -> List.of(s.split(value.trim()))).orElse(List.of(value.trim()));
        List<byte[]> result = new ArrayList<>();
        for (String entry : entries) {
            String trimmed = entry.trim();
            if (!trimmed.regionMatches(true, 0, prefix, 0, prefix.length())) {
                continue; // another version or algorithm (e.g. sha1= beside sha256=): not ours to check
            }
            try {
                result.add(encoding.decode(trimmed.substring(prefix.length())));
            } catch (IllegalArgumentException malformed) {
                // cannot match; keep checking the others
            }
        }
        return result;
    }

    /** HubSpot v3 signs its URL with some escapes decoded (see the profile); decoding is case-insensitive. */
    private String decodeEscapes(String url) {
        String result = url;
        for (String escape : urlDecodes) {
            char decoded = (char) Integer.parseInt(escape.substring(1), 16);
            result = result.replace(escape.toUpperCase(Locale.ROOT), String.valueOf(decoded))
                    .replace(escape.toLowerCase(Locale.ROOT), String.valueOf(decoded));
        }
        return result;
    }
}
