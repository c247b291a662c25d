package io.loopfree.sync.domain.webhook;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A profile's {@code signature} section: which scheme, and that scheme's parameters. Fields a scheme does not use
 * keep their defaults. See docs/ingress.md for what each means per scheme.
 *
 * @param scheme {@code hmac} (generic), {@code standard-webhooks}, {@code stripe}, {@code twilio},
 *        {@code client-state}
 * @param tolerance the replay window around a signed timestamp, both directions
 * @param header the header carrying the signature (hmac, stripe, twilio)
 * @param algorithm the HMAC's hash (hmac)
 * @param encoding how the MAC is written: hex or base64 (hmac)
 * @param prefix text before the encoded MAC, e.g. {@code sha256=} or {@code v0=} (hmac)
 * @param separator splits a header holding several signatures, e.g. " " (hmac)
 * @param timestampHeader the header with the signed timestamp, if the scheme has one (hmac)
 * @param timestampUnit seconds or milliseconds since the epoch (hmac)
 * @param signedContent what is signed, e.g. {@code v0:{timestamp}:{body}} (hmac)
 * @param urlDecodes percent-escapes decoded in {@code {url}} before signing, e.g. HubSpot's {@code %3A} (hmac)
 * @param secretFormat how a configured secret becomes the HMAC key: its UTF-8 text, base64, or {@code whsec_}
 *        base64 (hmac)
 * @param itemsPointer where the notifications are, e.g. {@code /value} (client-state)
 * @param itemField where each notification's client state is, e.g. {@code /clientState} (client-state)
 */
public record SignatureSpec(
        String scheme,
        Duration tolerance,
        Optional<String> header,
        Hmacs.Algorithm algorithm,
        Hmacs.Encoding encoding,
        String prefix,
        Optional<String> separator,
        Optional<String> timestampHeader,
        TimestampUnit timestampUnit,
        String signedContent,
        List<String> urlDecodes,
        SecretFormat secretFormat,
        Optional<String> itemsPointer,
        Optional<String> itemField) {

    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

    public enum TimestampUnit {
        seconds,
        milliseconds;

        public static TimestampUnit parse(String text) {
            return valueOf(text.toLowerCase(Locale.ROOT));
        }
    }

    public enum SecretFormat {
        /** The secret's UTF-8 bytes are the key (GitHub, Slack, Shopify, HubSpot...). */
        text,
        /** The secret is base64 of the key. */
        base64,
        /** {@code whsec_} followed by base64 of the key (Standard Webhooks, Svix). */
        whsec;

        public static SecretFormat parse(String text) {
            return valueOf(text.toLowerCase(Locale.ROOT));
        }

        /** @return the key, or empty when the secret is not in this format */
        public Optional<byte[]> key(String secret) {
            try {
                byte[] key = switch (this) {
                    case text -> Hmacs.utf8(secret);
                    case base64 -> java.util.Base64.getDecoder().decode(secret.trim());
                    case whsec -> java.util.Base64.getDecoder().decode(
                            (secret.startsWith("whsec_") ? secret.substring("whsec_".length()) : secret).trim());
                };
                return key.length == 0 ? Optional.empty() : Optional.of(key);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
    }

    public SignatureSpec {
        if (scheme == null || scheme.isBlank()) {
            throw new IllegalArgumentException("signature.scheme is required");
        }
        tolerance = tolerance == null ? DEFAULT_TOLERANCE : tolerance;
        header = header == null ? Optional.empty() : header;
        algorithm = algorithm == null ? Hmacs.Algorithm.SHA256 : algorithm;
        encoding = encoding == null ? Hmacs.Encoding.hex : encoding;
        prefix = prefix == null ? "" : prefix;
        separator = separator == null ? Optional.empty() : separator.filter(s -> !s.isEmpty());
        timestampHeader = timestampHeader == null ? Optional.empty() : timestampHeader;
        timestampUnit = timestampUnit == null ? TimestampUnit.seconds : timestampUnit;
        signedContent = signedContent == null || signedContent.isEmpty() ? "{body}" : signedContent;
        urlDecodes = urlDecodes == null ? List.of() : List.copyOf(urlDecodes);
        secretFormat = secretFormat == null ? SecretFormat.text : secretFormat;
        itemsPointer = itemsPointer == null ? Optional.empty() : itemsPointer;
        itemField = itemField == null ? Optional.empty() : itemField;
    }

    /** A spec with every parameter at its default: scheme only. */
    public static SignatureSpec of(String scheme) {
        return new SignatureSpec(scheme, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    public SignatureSpec withTolerance(Duration value) {
        return new SignatureSpec(scheme, value, header, algorithm, encoding, prefix, separator, timestampHeader,
                timestampUnit, signedContent, urlDecodes, secretFormat, itemsPointer, itemField);
    }

    public SignatureSpec withHeader(String value) {
        return new SignatureSpec(scheme, tolerance, Optional.ofNullable(value), algorithm, encoding, prefix, separator,
                timestampHeader, timestampUnit, signedContent, urlDecodes, secretFormat, itemsPointer, itemField);
    }

    public SignatureSpec withMac(Hmacs.Algorithm algorithmValue, Hmacs.Encoding encodingValue, String prefixValue) {
        return new SignatureSpec(scheme, tolerance, header, algorithmValue, encodingValue, prefixValue, separator,
                timestampHeader, timestampUnit, signedContent, urlDecodes, secretFormat, itemsPointer, itemField);
    }

    public SignatureSpec withSeparator(String value) {
        return new SignatureSpec(scheme, tolerance, header, algorithm, encoding, prefix, Optional.ofNullable(value),
                timestampHeader, timestampUnit, signedContent, urlDecodes, secretFormat, itemsPointer, itemField);
    }

    public SignatureSpec withTimestamp(String headerValue, TimestampUnit unit) {
        return new SignatureSpec(scheme, tolerance, header, algorithm, encoding, prefix, separator,
                Optional.ofNullable(headerValue), unit, signedContent, urlDecodes, secretFormat, itemsPointer, itemField);
    }

    public SignatureSpec withSignedContent(String template, List<String> decodes) {
        return new SignatureSpec(scheme, tolerance, header, algorithm, encoding, prefix, separator, timestampHeader,
                timestampUnit, template, decodes, secretFormat, itemsPointer, itemField);
    }

    public SignatureSpec withSecretFormat(SecretFormat value) {
        return new SignatureSpec(scheme, tolerance, header, algorithm, encoding, prefix, separator, timestampHeader,
                timestampUnit, signedContent, urlDecodes, value, itemsPointer, itemField);
    }

    public SignatureSpec withItems(String itemsPointerValue, String itemFieldValue) {
        return new SignatureSpec(scheme, tolerance, header, algorithm, encoding, prefix, separator, timestampHeader,
                timestampUnit, signedContent, urlDecodes, secretFormat, Optional.ofNullable(itemsPointerValue),
                Optional.ofNullable(itemFieldValue));
    }
}
