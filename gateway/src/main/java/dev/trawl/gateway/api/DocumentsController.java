package dev.trawl.gateway.api;

import dev.trawl.gateway.readmodel.MarkdownStore;
import dev.trawl.gateway.readmodel.ReadModel;
import dev.trawl.gateway.readmodel.StoredDocument;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/documents/{id}}: JSON with the Markdown, or the bare Markdown for {@code Accept: text/markdown}. */
@RestController
public class DocumentsController {

    static final MediaType TEXT_MARKDOWN = new MediaType("text", "markdown", StandardCharsets.UTF_8);

    private final ReadModel readModel;
    private final MarkdownStore markdownStore;

    public DocumentsController(ReadModel readModel, MarkdownStore markdownStore) {
        this.readModel = readModel;
        this.markdownStore = markdownStore;
    }

    @GetMapping("/api/documents/{id}")
    public ResponseEntity<?> document(@PathVariable String id,
                                      @RequestHeader(name = "Accept", required = false) String accept) {
        if (wantsMarkdown(accept)) {
            return markdown(id);
        }
        StoredDocument document = find(id);
        String markdown = markdownStore.markdown(document).orElseThrow(() -> gone(id));
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON)
                .body(DocumentView.of(document.metadata(), markdown));
    }

    /** The bare Markdown whatever the Accept header says: what a browser link to a document opens. */
    @GetMapping("/api/documents/{id}/markdown")
    public ResponseEntity<String> markdown(@PathVariable String id) {
        String markdown = markdownStore.markdown(find(id)).orElseThrow(() -> gone(id));
        return ResponseEntity.ok().contentType(TEXT_MARKDOWN).body(markdown);
    }

    private StoredDocument find(String id) {
        return readModel.document(id).orElseThrow(() -> new NotFoundException("no document " + id));
    }

    private static NotFoundException gone(String id) {
        return new NotFoundException("document " + id + " is no longer in the documents topic");
    }

    /** Markdown only when asked for by name and ranked above JSON; JSON for anything else, wildcards included. */
    static boolean wantsMarkdown(String accept) {
        if (accept == null || accept.isBlank()) {
            return false;
        }
        try {
            List<MediaType> types = new ArrayList<>(MediaType.parseMediaTypes(accept));
            types.sort(Comparator.comparingDouble(MediaType::getQualityValue).reversed());
            for (MediaType type : types) {
                if (type.getQualityValue() > 0 && type.isWildcardSubtype()) {
                    continue;
                }
                if (type.getQualityValue() > 0 && type.isCompatibleWith(TEXT_MARKDOWN)) {
                    return true;
                }
                if (type.getQualityValue() > 0 && type.isCompatibleWith(MediaType.APPLICATION_JSON)) {
                    return false;
                }
            }
            return false;
        } catch (InvalidMediaTypeException e) {
            return false;
        }
    }
}
