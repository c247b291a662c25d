package io.loopfree.sync.domain.text;

import java.util.regex.Pattern;

/**
 * The one rule for system and tenant names ({@code hubspot}, {@code acme}): they appear in URLs, file names
 * ({@code profiles/<system>.json}, {@code mappings/<system>.json}), configuration keys and DynamoDB keys, so they
 * are lower-case letters, digits and dashes, 1 to 63 characters, starting with a letter or digit.
 */
public final class Names {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private Names() {
    }

    public static boolean isValid(String name) {
        return name != null && NAME.matcher(name).matches();
    }
}
