package io.loopfree.sync.domain.webhook;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a provider signs, written as a template: literal text and placeholders {@code {body}} (the raw body bytes,
 * never re-encoded), {@code {timestamp}} (the timestamp header as sent), {@code {method}}, {@code {url}} (the
 * public URL, see {@link PublicUrl}), {@code {path}}, {@code {query}} and {@code {header:NAME}}.
 * Examples: Slack {@code v0:{timestamp}:{body}}, HubSpot v3 {@code {method}{url}{body}{timestamp}}.
 */
public final class SignedContentTemplate {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z]+)(?::([^}]+))?}");

    private sealed interface Part {
    }

    private record Literal(String text) implements Part {
    }

    private record Placeholder(String name, String argument) implements Part {
    }

    /** What a template reads from the delivery besides its body. */
    public record Inputs(String method, String url, String path, String query, Optional<String> timestamp,
            WebhookRequest request) {
    }

    private final List<Part> parts;
    private final String template;

    public SignedContentTemplate(String template) {
        this.template = template;
        this.parts = parse(template);
    }

    public boolean uses(String placeholder) {
        return parts.stream().anyMatch(p -> p instanceof Placeholder ph && ph.name().equals(placeholder));
    }

    public byte[] render(Inputs inputs, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 128);
        for (Part part : parts) {
            if (part instanceof Literal literal) {
                out.writeBytes(Hmacs.utf8(literal.text()));
            } else if (part instanceof Placeholder placeholder) {
                switch (placeholder.name()) {
                    case "body" -> out.writeBytes(body);
                    case "timestamp" -> out.writeBytes(Hmacs.utf8(inputs.timestamp().orElse("")));
                    case "method" -> out.writeBytes(Hmacs.utf8(inputs.method().toUpperCase(Locale.ROOT)));
                    case "url" -> out.writeBytes(Hmacs.utf8(inputs.url()));
                    case "path" -> out.writeBytes(Hmacs.utf8(inputs.path()));
                    case "query" -> out.writeBytes(Hmacs.utf8(inputs.query()));
                    case "header" -> out.writeBytes(Hmacs.utf8(inputs.request().header(placeholder.argument()).orElse("")));
                    default -> throw new IllegalStateException("unreachable: validated at parse");
                }
            }
        }
        return out.toByteArray();
    }

    @Override
    public String toString() {
        return template;
    }

    private static List<Part> parse(String template) {
        List<Part> parts = new ArrayList<>();
        Matcher matcher = PLACEHOLDER.matcher(template);
        int last = 0;
        while (matcher.find()) {
            if (matcher.start() > last) {
                parts.add(new Literal(template.substring(last, matcher.start())));
            }
            String name = matcher.group(1);
            String argument = matcher.group(2);
            boolean known = switch (name) {
                case "body", "timestamp", "method", "url", "path", "query" -> argument == null;
                case "header" -> argument != null && !argument.isBlank();
                default -> false;
            };
            if (!known) {
                throw new IllegalArgumentException("signedContent '" + template + "': unknown placeholder "
                        + matcher.group() + " (body, timestamp, method, url, path, query, header:NAME)");
            }
            parts.add(new Placeholder(name, argument));
            last = matcher.end();
        }
        if (last < template.length()) {
            parts.add(new Literal(template.substring(last)));
        }
        if (parts.stream().noneMatch(p -> p instanceof Placeholder ph && ph.name().equals("body"))) {
            throw new IllegalArgumentException("signedContent '" + template + "' must include {body}");
        }
        return parts;
    }
}
