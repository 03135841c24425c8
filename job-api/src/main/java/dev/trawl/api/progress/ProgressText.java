package dev.trawl.api.progress;

/** The progress line every surface shows: exactly {@code "X pending, Y running, Z completed, W failed"}. */
public final class ProgressText {

    private ProgressText() {
    }

    public static String format(long pending, long running, long completed, long failed) {
        return pending + " pending, " + running + " running, " + completed + " completed, " + failed + " failed";
    }
}
