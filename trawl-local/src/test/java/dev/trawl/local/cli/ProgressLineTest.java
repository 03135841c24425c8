package dev.trawl.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.progress.ProgressText;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ProgressLineTest {

    @Test
    void showsBarPercentExactProgressTextDocumentsAndEta() {
        String line = ProgressLine.of(snapshot(JobStatus.RUNNING, 66, 1, 41, 0, 0.3796, 754L));

        assertThat(line).isEqualTo("[###########-------------------]  37%  66 pending, 1 running, 41 completed, "
                + "0 failed  41 documents  ETA 12m34s  running");
    }

    @Test
    void neverShowsAHundredPercentBeforeTheEndAndAnUnknownEtaAsSuch() {
        assertThat(ProgressLine.of(snapshot(JobStatus.RUNNING, 0, 1, 999, 0, 0.999, null)))
                .contains("]  99%").contains("ETA ?");
        assertThat(ProgressLine.of(snapshot(JobStatus.COMPLETED_WITH_FAILURES, 0, 0, 3, 1, 1.0, 0L)))
                .startsWith("[" + "#".repeat(30) + "] 100%").endsWith("ETA done  completed_with_failures");
    }

    private static ParentProgress snapshot(JobStatus status, long pending, long running, long completed, long failed,
                                           double progress, Long eta) {
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        long total = pending + running + completed + failed;
        return new ParentProgress("id", "name", status, pending, running, completed, failed, 0, total, completed, 0,
                progress, eta, ProgressText.format(pending, running, completed, failed), at, at, at, null, null, 1);
    }
}
