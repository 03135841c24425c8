package dev.trawl.local.cli;

import dev.trawl.api.event.ParentProgress;

/** One snapshot as one line: {@code [#####-----]  41%  66 pending, 1 running, ...  41 documents  ETA 12s  running}. */
final class ProgressLine {

    private static final int BAR_WIDTH = 30;

    private ProgressLine() {
    }

    static String of(ParentProgress p) {
        double done = Math.max(0, Math.min(1, p.progress()));
        int filled = (int) Math.floor(done * BAR_WIDTH);
        // floor, not round: 99.6 % is not shown as 100 % while a child is still running
        int percent = (int) Math.floor(done * 100);
        return String.format("[%s%s] %3d%%  %s  %d documents  ETA %s  %s", "#".repeat(filled),
                "-".repeat(BAR_WIDTH - filled), percent, p.progressText(), p.documentCount(), eta(p),
                p.status().wireName());
    }

    static String eta(ParentProgress p) {
        if (p.status().isTerminal()) {
            return "done";
        }
        Long seconds = p.etaSeconds();
        if (seconds == null) {
            return "?";
        }
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return String.format("%dm%02ds", seconds / 60, seconds % 60);
        }
        return String.format("%dh%02dm", seconds / 3600, seconds % 3600 / 60);
    }
}
