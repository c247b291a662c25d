package io.loopfree.sync.looptest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Plain values as a Jackson tree (test descriptors built in code). */
final class Json {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Json() {
    }

    static JsonNode tree(Object value) {
        return JSON.valueToTree(value);
    }
}
