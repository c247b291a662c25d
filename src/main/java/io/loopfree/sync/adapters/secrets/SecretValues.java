package io.loopfree.sync.adapters.secrets;

import java.util.Arrays;
import java.util.List;

/** One stored value holds the active secrets, comma-separated, newest first. */
public final class SecretValues {

    private SecretValues() {
    }

    public static List<String> split(String value) {
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
