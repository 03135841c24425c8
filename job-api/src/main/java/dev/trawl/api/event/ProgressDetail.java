package dev.trawl.api.event;

/**
 * Fine-grained progress of a generic job or of one of its children: "3 of 10 files, parsing foo.jar".
 *
 * @param childId    the child it is about, or null for the job as a whole
 * @param current    units done
 * @param total      units in all, or 0 when unknown
 * @param percentage {@code current / total} in 0..100, null when {@code total} is unknown
 * @param message    short human text
 * @param detail     longer free text, may be null
 */
public record ProgressDetail(String childId, long current, long total, Double percentage, String message,
                             String detail) {

    public static ProgressDetail of(String childId, long current, long total, String message, String detail) {
        Double percentage = total > 0 ? Math.min(100.0, 100.0 * current / total) : null;
        return new ProgressDetail(childId, current, total, percentage, message, detail);
    }
}
