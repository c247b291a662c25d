package io.loopfree.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.domain.webhook.BatchSplitter;

class BatchSplitterTest {

    @Test
    void eachElementIsTheExactSliceThatWasSent() throws Exception {
        String body = "[ {\"eventId\": 1, \"v\": 1.0E2, \"s\": \"caf\\u00e9 \u00e9\"} ,\n  {\"eventId\":2,\"nested\":{\"a\":[1,2]}} ]";
        assertThat(texts(BatchSplitter.split(utf8(body), ""))).containsExactly(
                "{\"eventId\": 1, \"v\": 1.0E2, \"s\": \"caf\\u00e9 \u00e9\"}",
                "{\"eventId\":2,\"nested\":{\"a\":[1,2]}}");
    }

    @Test
    void scalarsAndNestedPointers() throws Exception {
        String body = "{\"validationTokens\":[\"x\"],\"value\":[\"a\\\"b\", 12, true, null, [1]]}";
        assertThat(texts(BatchSplitter.split(utf8(body), "/value")))
                .containsExactly("\"a\\\"b\"", "12", "true", "null", "[1]");
        assertThat(texts(BatchSplitter.split(utf8("{\"a\":{\"b\":[{\"x\":1}]}}"), "/a/b"))).containsExactly("{\"x\":1}");
        assertThat(texts(BatchSplitter.split(utf8("[[0],[1,{\"k\":2}]]"), "/1"))).containsExactly("1", "{\"k\":2}");
        assertThat(BatchSplitter.split(utf8("[]"), "")).isEmpty();
    }

    @Test
    void whatIsNotTheDeclaredBatchIsNamed() {
        assertThatThrownBy(() -> BatchSplitter.split(utf8("{\"eventId\":1}"), ""))
                .isInstanceOf(BatchSplitter.MalformedBatchException.class).hasMessage("the body is not a JSON array");
        assertThatThrownBy(() -> BatchSplitter.split(utf8("{\"values\":[]}"), "/value")).hasMessage("no JSON array at /value");
        assertThatThrownBy(() -> BatchSplitter.split(utf8("{\"value\":{}}"), "/value")).hasMessage("/value is not a JSON array");
        assertThatThrownBy(() -> BatchSplitter.split(utf8(""), "")).hasMessageContaining("empty body");
        assertThatThrownBy(() -> BatchSplitter.split(utf8("[{\"a\":1},"), "")).hasMessageContaining("malformed JSON");
        assertThatThrownBy(() -> BatchSplitter.split(utf8("[1] x"), "")).hasMessageContaining("malformed JSON");
        assertThatThrownBy(() -> BatchSplitter.split(utf8("eventId=1"), "")).hasMessageContaining("malformed JSON");
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> texts(List<byte[]> parts) {
        return parts.stream().map(p -> new String(p, StandardCharsets.UTF_8)).toList();
    }
}
