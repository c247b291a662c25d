package io.loopfree.sync.functions;

import java.time.Instant;
import java.util.Objects;

import jakarta.inject.Inject;

import io.loopfree.sync.app.ReconcilerService;
import io.quarkus.funqy.Funq;

/** Lambda entry for {@code QUARKUS_FUNQY_EXPORT=reconciler}: EventBridge scheduled event in, run summary out. */
public class ReconcilerFunction {

    @Inject
    ReconcilerService reconciler;

    @Funq("reconciler")
    public ReconcileResult reconciler(ScheduledEvent event) {
        ReconcilerService.RunSummary summary = reconciler.run();
        return new ReconcileResult(event == null ? null : event.id(), summary.startedAt().toString(),
                summary.jobs().stream()
                        .map(run -> new ReconcileResult.Job(run.job(), text(run.previousWatermark()),
                                text(run.watermark()), run.saved()))
                        .toList());
    }

    private static String text(Instant instant) {
        return Objects.toString(instant, null);
    }
}
