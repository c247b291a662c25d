package io.loopfree.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.domain.outbound.OutboundProfile.SinceFormat;
import io.loopfree.sync.domain.outbound.Template;

class OutboundTemplateTest {

    static Function<String, Optional<String>> values(Map<String, String> map) {
        return name -> Optional.ofNullable(map.get(name));
    }

    @Test
    void rendersPlaceholdersAndEncodesOnlyTheValues() {
        Template template = Template.parse("/sheets/{params.sheetId}/rows/{recordId}");
        assertThat(template.variables()).containsExactly("params.sheetId", "recordId");
        assertThat(template.render(values(Map.of("params.sheetId", "12", "recordId", "a/b")), v -> v.replace("/", "%2F")))
                .contains("/sheets/12/rows/a%2Fb");
    }

    @Test
    void aMissingValueRendersNothingAndIsNamed() {
        Template template = Template.parse("client={changeAgent}");
        assertThat(template.render(values(Map.of()), v -> v)).isEmpty();
        assertThat(template.missing(values(Map.of()))).contains("changeAgent");
        assertThat(Template.parse("no placeholder").render(values(Map.of()), v -> v)).contains("no placeholder");
    }

    @Test
    void aStrayBraceIsRefused() {
        assertThatThrownBy(() -> Template.parse("/x/{recordId")).hasMessageContaining("brace");
        assertThatThrownBy(() -> Template.parse("/x/{ recordId }")).hasMessageContaining("brace");
    }

    @Test
    void sinceFormats() {
        Instant since = Instant.parse("2026-11-20T10:00:05.123456Z");
        assertThat(SinceFormat.ISO_8601.format(since)).isEqualTo("2026-11-20T10:00:05.123Z");
        assertThat(SinceFormat.ISO_8601_SECONDS.format(since)).isEqualTo("2026-11-20T10:00:05Z");
        assertThat(SinceFormat.EPOCH_MILLIS.format(since)).isEqualTo("1795168805123");
        assertThat(SinceFormat.EPOCH_SECONDS.format(since)).isEqualTo("1795168805");
    }
}
