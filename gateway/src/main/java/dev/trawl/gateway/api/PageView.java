package dev.trawl.gateway.api;

import java.util.List;

/**
 * One page of a list endpoint.
 *
 * @param items the page's entries
 * @param page  zero-based page number
 * @param size  requested page size
 * @param total entries over all pages (after filtering)
 */
public record PageView<T>(List<T> items, int page, int size, long total) {

    static <T> PageView<T> of(List<T> all, int page, int size) {
        long from = Math.min((long) page * size, all.size());
        long to = Math.min(from + size, all.size());
        return new PageView<>(List.copyOf(all.subList((int) from, (int) to)), page, size, all.size());
    }
}
