package io.loopfree.sync.domain.outbound;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A text with {@code {name}} placeholders ({@code {externalId}}, {@code {params.sheetId}}…), as outbound profiles
 * write paths, query values, headers and base URLs. No escapes, no expressions: anything richer is a JSONata body.
 */
public record Template(String source, List<Object> parts) {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z][A-Za-z0-9_]*(?:\\.[A-Za-z0-9_-]+)?)}");

    /** A placeholder inside {@link #parts()}; the other parts are literal strings. */
    public record Variable(String name) {
    }

    public Template {
        parts = List.copyOf(parts);
    }

    /** @throws IllegalArgumentException on a stray brace */
    public static Template parse(String source) {
        List<Object> parts = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(source);
        int at = 0;
        while (m.find()) {
            literal(parts, source.substring(at, m.start()), source);
            parts.add(new Variable(m.group(1)));
            at = m.end();
        }
        literal(parts, source.substring(at), source);
        return new Template(source, parts);
    }

    private static void literal(List<Object> parts, String text, String source) {
        if (text.indexOf('{') >= 0 || text.indexOf('}') >= 0) {
            throw new IllegalArgumentException("template '" + source + "': a brace that is not a {placeholder}");
        }
        if (!text.isEmpty()) {
            parts.add(text);
        }
    }

    public Set<String> variables() {
        Set<String> names = new LinkedHashSet<>();
        parts.stream().filter(Variable.class::isInstance).map(p -> ((Variable) p).name()).forEach(names::add);
        return names;
    }

    /**
     * @param values the variables' values; empty for a variable that has none
     * @param encode applied to each value (not to the literal parts): URL encoding for a path, identity for a header
     * @return empty when a variable has no value
     */
    public Optional<String> render(Function<String, Optional<String>> values, UnaryOperator<String> encode) {
        StringBuilder out = new StringBuilder();
        for (Object part : parts) {
            if (part instanceof Variable variable) {
                Optional<String> value = values.apply(variable.name());
                if (value.isEmpty()) {
                    return Optional.empty();
                }
                out.append(encode.apply(value.get()));
            } else {
                out.append((String) part);
            }
        }
        return Optional.of(out.toString());
    }

    /** The first variable without a value, to say why a template could not be rendered. */
    public Optional<String> missing(Function<String, Optional<String>> values) {
        return variables().stream().filter(name -> values.apply(name).isEmpty()).findFirst();
    }
}
