package dev.trawl.bench.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * Polls {@code GET /api/jobs/{id}} every 0.5 s, as a dashboard would, and keeps each answer's ETA and progress;
 * afterwards it scores each estimate of a running job against the time that really remained until the watcher saw
 * the terminal snapshot, by the progress the answer showed: relative error |est − true| / true and ratio
 * max(est / true, true / est), with both floored at 1 s.
 */
final class EtaPoller implements AutoCloseable {

    /** One answer: {@code etaSeconds} null when the gateway sent null; {@code etaReason} null when absent. */
    record Poll(long atMicros, String status, double progress, long finished, long total, Long etaSeconds,
                String etaReason) {
    }

    /** The estimates of one progress band: how many, how many null, median relative error, worst ratio. */
    record Band(String name, int polls, int nulls, double medianRelativeError, double maxRatio,
                long worstEstimate, double worstRemaining, Map<String, Integer> reasons) {
    }

    private static final double[][] BANDS = {{0.10, 0.30}, {0.30, 0.60}, {0.60, 1.00}};

    private final List<Poll> polls = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopped;

    EtaPoller(GatewayApi api, String jobId) {
        thread = new Thread(() -> run(api, jobId), "pipeline-bench-eta-poller");
        thread.setDaemon(true);
        thread.start();
    }

    private void run(GatewayApi api, String jobId) {
        long next = System.nanoTime();
        while (!stopped) {
            try {
                JsonNode job = api.job(jobId);
                if (job != null) {
                    JsonNode eta = job.path("eta_seconds");
                    JsonNode reason = job.path("eta_reason");
                    Poll poll = new Poll(Watcher.nowMicros(), job.path("status").asString(),
                            job.path("progress").asDouble(), finished(job), job.path("total").asLong(),
                            eta.isNumber() ? eta.asLong() : null,
                            reason.isString() ? reason.asString() : null);
                    synchronized (polls) {
                        polls.add(poll);
                    }
                }
                next += 500_000_000L;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                System.err.println("ETA poll failed: " + e);
            }
        }
    }

    private static long finished(JsonNode job) {
        return job.path("completed").asLong() + job.path("failed").asLong() + job.path("cancelled").asLong();
    }

    /** Writes every answer, with the time that really remained, as CSV: what the ETA's figures are made of. */
    void write(Path file, long endMicros) throws IOException {
        StringBuilder csv = new StringBuilder("seconds_left,status,progress,finished,total,eta_seconds,eta_reason\n");
        for (Poll p : polls()) {
            csv.append(String.format(Locale.ROOT, "%.2f,%s,%.4f,%d,%d,%s,%s%n", (endMicros - p.atMicros()) / 1e6,
                    p.status(), p.progress(), p.finished(), p.total(),
                    p.etaSeconds() == null ? "" : p.etaSeconds(), p.etaReason() == null ? "" : p.etaReason()));
        }
        Files.writeString(file, csv);
    }

    List<Poll> polls() {
        synchronized (polls) {
            return List.copyOf(polls);
        }
    }

    /** Scores the polls of a running job against {@code endMicros}, when the watcher saw it end. */
    List<Band> bands(long endMicros) {
        List<Band> bands = new ArrayList<>();
        for (double[] band : BANDS) {
            List<Double> errors = new ArrayList<>();
            double maxRatio = 0;
            long worstEstimate = 0;
            double worstRemaining = 0;
            int count = 0;
            int nulls = 0;
            Map<String, Integer> reasons = new TreeMap<>();
            for (Poll p : polls()) {
                boolean last = band[1] >= 1.0;
                if (!"running".equals(p.status()) || p.progress() < band[0]
                        || (last ? p.progress() > band[1] : p.progress() >= band[1]) || p.atMicros() >= endMicros) {
                    continue;
                }
                count++;
                if (p.etaSeconds() == null) {
                    nulls++;
                    reasons.merge(p.etaReason() == null ? "(none)" : p.etaReason(), 1, Integer::sum);
                    continue;
                }
                double remaining = (endMicros - p.atMicros()) / 1e6;
                // an ETA is whole seconds: both sides are floored at 1 s, so that "0 s" with 0.3 s left (or
                // "1 s" with 0.2 s) is not scored as an infinite or fivefold error
                double truth = Math.max(remaining, 1);
                double estimate = Math.max(p.etaSeconds(), 1);
                errors.add(Math.abs(estimate - truth) / truth);
                double ratio = Math.max(estimate / truth, truth / estimate);
                if (ratio > maxRatio) {
                    maxRatio = ratio;
                    worstEstimate = p.etaSeconds();
                    worstRemaining = remaining;
                }
            }
            bands.add(new Band(String.format("%.0f–%.0f %%", band[0] * 100, band[1] * 100), count, nulls,
                    Stats.median(errors), errors.isEmpty() ? Double.NaN : maxRatio, worstEstimate, worstRemaining,
                    reasons));
        }
        return bands;
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
