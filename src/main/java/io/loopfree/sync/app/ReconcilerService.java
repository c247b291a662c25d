package io.loopfree.sync.app;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.loopfree.sync.config.SyncConfig;
import io.loopfree.sync.domain.reconcile.ReconcileJob;
import io.loopfree.sync.domain.reconcile.Watermark;
import io.loopfree.sync.ports.WatermarkStore;

/**
 * One scheduled reconciliation pass over the configured jobs. The skeleton loads each job's watermark and
 * records the run; listing changed records since the watermark and enqueueing them is its own issue.
 */
@ApplicationScoped
public class ReconcilerService {

    private static final Logger LOG = Logger.getLogger(ReconcilerService.class);

    private final WatermarkStore watermarks;
    private final Clock clock;
    private final List<ReconcileJob> jobs;

    public ReconcilerService(WatermarkStore watermarks, Clock clock, SyncConfig config) {
        this.watermarks = watermarks;
        this.clock = clock;
        this.jobs = config.reconciler().jobs().orElse(List.of()).stream().map(ReconcileJob::parse).toList();
    }

    public RunSummary run() {
        Instant startedAt = clock.instant();
        List<JobRun> runs = new ArrayList<>();
        for (ReconcileJob job : jobs) {
            Optional<Watermark> previous = watermarks.load(job);
            Watermark next = Watermark.afterRun(job, previous, startedAt, Watermark.RunStatus.SUCCEEDED);
            boolean saved = watermarks.save(next);
            LOG.infof("reconcile job=%s:%s:%s previousWatermark=%s watermark=%s saved=%s", job.system(), job.account(),
                    job.resource(), previous.flatMap(Watermark::watermark).map(Instant::toString).orElse("none"),
                    next.watermark().map(Instant::toString).orElse("none"), saved);
            runs.add(new JobRun(job.asItemKey(), previous.flatMap(Watermark::watermark).orElse(null),
                    next.watermark().orElse(null), saved));
        }
        return new RunSummary(startedAt, runs);
    }

    public record RunSummary(Instant startedAt, List<JobRun> jobs) {
    }

    public record JobRun(String job, Instant previousWatermark, Instant watermark, boolean saved) {
    }
}
