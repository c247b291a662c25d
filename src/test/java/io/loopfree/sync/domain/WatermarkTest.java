package io.loopfree.sync.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.loopfree.sync.domain.reconcile.ReconcileJob;
import io.loopfree.sync.domain.reconcile.Watermark;
import io.loopfree.sync.domain.reconcile.Watermark.RunStatus;

class WatermarkTest {

    final ReconcileJob job = ReconcileJob.parse("hubspot:portal-42:contact");
    final Instant first = Instant.parse("2026-11-20T10:00:00Z");
    final Instant second = Instant.parse("2026-11-20T10:15:00Z");

    @Test
    void aSuccessfulRunAdvancesToItsStartTime() {
        Watermark afterFirst = Watermark.afterRun(job, Optional.empty(), first, RunStatus.SUCCEEDED);
        assertThat(afterFirst.watermark()).contains(first);
        assertThat(afterFirst.runs()).isEqualTo(1);
        Watermark afterSecond = Watermark.afterRun(job, Optional.of(afterFirst), second, RunStatus.SUCCEEDED);
        assertThat(afterSecond.watermark()).contains(second);
        assertThat(afterSecond.runs()).isEqualTo(2);
    }

    @Test
    void aFailedRunKeepsThePreviousWatermarkAndRecordsItsStatus() {
        Watermark afterFirst = Watermark.afterRun(job, Optional.empty(), first, RunStatus.SUCCEEDED);
        Watermark failed = Watermark.afterRun(job, Optional.of(afterFirst), second, RunStatus.FAILED);
        assertThat(failed.watermark()).contains(first);
        assertThat(failed.lastRunStartedAt()).isEqualTo(second);
        assertThat(failed.lastRunStatus()).isEqualTo(RunStatus.FAILED);
    }

    @Test
    void jobsParseFromConfigurationAndNameTheirItem() {
        assertThat(job).isEqualTo(new ReconcileJob("hubspot", "portal-42", "contact"));
        assertThat(job.asItemKey()).isEqualTo("WATERMARK#hubspot#portal-42#contact");
        assertThatThrownBy(() -> ReconcileJob.parse("hubspot:contact")).hasMessageContaining("system:account:resource");
    }
}
