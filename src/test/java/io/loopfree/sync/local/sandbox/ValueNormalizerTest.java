package io.loopfree.sync.local.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

class ValueNormalizerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void booleansBecomeStringsStringsAreTrimmedTimestampsLoseFractions() throws Exception {
        ObjectNode in = (ObjectNode) JSON.readTree("""
                {"subscribed":true,"vip":false,"name":"  Ada  ","seen":"2026-03-01T10:15:30.123456Z",
                 "offset":"2026-03-01T10:15:30.5+02:00","whole":"2026-03-01T10:15:30Z","count":3,"none":null,
                 "nested":{"flag":true,"tags":[" a ",false]}}""");

        ObjectNode out = ValueNormalizer.normalize(in);

        assertThat(out.toString()).isEqualTo("""
                {"subscribed":"true","vip":"false","name":"Ada","seen":"2026-03-01T10:15:30Z",\
                "offset":"2026-03-01T10:15:30+02:00","whole":"2026-03-01T10:15:30Z","count":3,"none":null,\
                "nested":{"flag":"true","tags":["a","false"]}}""");
    }

    @Test
    void textThatOnlyLooksLikeATimestampIsOnlyTrimmed() {
        assertThat(ValueNormalizer.normalizeText(" 2026-03-01 10:15:30.123 ")).isEqualTo("2026-03-01 10:15:30.123");
        assertThat(ValueNormalizer.normalizeText("v1.2.3")).isEqualTo("v1.2.3");
    }
}
