package dev.trawl.exporter;

import dev.trawl.api.event.DocumentSaved;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Pattern;

/**
 * The exported folder: one file per document at {@code <root>/<parent id>/<document id>.md}, a small YAML front
 * matter (url, title, fetch time, content hash) over the Markdown. A file is written to a temporary name and moved
 * into place, so a reader never sees half a document; a document delivered again overwrites its own file, so
 * replays and redeliveries leave one file per document.
 */
public final class MarkdownFiles {

    /** Ids are Trawl's own (hex, dashes); anything else could leave the folder. */
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    private final Path root;

    public MarkdownFiles(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** Writes (or replaces) the file of {@code document}; returns its path. */
    public Path write(DocumentSaved document) {
        Path file = fileOf(document.parentId(), document.documentId());
        try {
            Files.createDirectories(file.getParent());
            Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.writeString(temporary, render(document), StandardCharsets.UTF_8);
            try {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Removes the file of a document whose tombstone arrived, wherever its parent's folder is. */
    public void delete(String documentId) {
        String name = checked(documentId) + ".md";
        try (var parents = Files.list(root)) {
            for (Path parent : (Iterable<Path>) parents::iterator) {
                Files.deleteIfExists(parent.resolve(name));
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // nothing exported yet
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + name + " under " + root, e);
        }
    }

    Path fileOf(String parentId, String documentId) {
        return root.resolve(checked(parentId)).resolve(checked(documentId) + ".md");
    }

    static String render(DocumentSaved d) {
        StringBuilder out = new StringBuilder(d.markdown() == null ? 256 : d.markdown().length() + 512);
        out.append("---\n");
        field(out, "document_id", d.documentId());
        field(out, "parent_id", d.parentId());
        field(out, "url", d.url());
        if (d.finalUrl() != null && !d.finalUrl().equals(d.url())) {
            field(out, "final_url", d.finalUrl());
        }
        field(out, "canonical_url", d.canonicalUrl());
        field(out, "title", d.title());
        field(out, "language", d.language());
        field(out, "fetched_at", d.fetchedAt() == null ? null : d.fetchedAt().toString());
        field(out, "content_hash", d.contentHash());
        if (d.truncated()) {
            out.append("truncated: true\n");
        }
        out.append("---\n\n");
        if (d.markdown() != null) {
            out.append(d.markdown());
            if (!d.markdown().endsWith("\n")) {
                out.append('\n');
            }
        }
        return out.toString();
    }

    /** A YAML double-quoted scalar: backslash, quote and control characters escaped. */
    private static void field(StringBuilder out, String name, String value) {
        if (value == null || value.isEmpty()) {
            return;
        }
        out.append(name).append(": \"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append("\"\n");
    }

    private static String checked(String id) {
        if (id == null || !SAFE_ID.matcher(id).matches() || id.startsWith(".")) {
            throw new IllegalArgumentException("not a Trawl id: " + id);
        }
        return id;
    }
}
