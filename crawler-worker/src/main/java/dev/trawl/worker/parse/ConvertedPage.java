package dev.trawl.worker.parse;

import java.util.List;

/**
 * A fetched HTML page turned into a document.
 *
 * @param title        {@code <title>}, or null
 * @param language     {@code <html lang>}, or null
 * @param canonicalUrl absolute normalised {@code <link rel=canonical>}, or null
 * @param markdown     the main content as Markdown, cut at the character cap
 * @param contentHash  SHA-256 of {@code markdown}, hex
 * @param truncated    the Markdown hit the character cap
 * @param links        absolute normalised http(s) links of the whole page, deduplicated, capped
 */
public record ConvertedPage(String title, String language, String canonicalUrl, String markdown,
                            String contentHash, boolean truncated, List<String> links) {
}
