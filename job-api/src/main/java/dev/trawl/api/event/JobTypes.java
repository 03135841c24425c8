package dev.trawl.api.event;

/** Job types Trawl itself knows; reporters name their own (e.g. {@code library-scan}, {@code site-build}). */
public final class JobTypes {

    public static final String CRAWL = "crawl";

    private JobTypes() {
    }
}
