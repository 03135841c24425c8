package dev.trawl.worker.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PageConverterTest {

    private static final String PAGE = """
            <!DOCTYPE html>
            <html lang="de">
            <head>
              <title> Sample article </title>
              <link rel="canonical" href="/articles/sample">
              <style>body { color: red }</style>
              <script>var tracking = 'SCRIPT-TEXT';</script>
            </head>
            <body>
              <header><a href="/">Site name HEADER-TEXT</a></header>
              <nav><a href="/about">About NAV-TEXT</a></nav>
              <main>
                <h1>Main heading</h1>
                <p>Intro with a <a href="/docs/guide">guide link</a> and <strong>bold</strong> text.</p>
                <h2>Second level</h2>
                <ul><li>first item</li><li>second item</li></ul>
                <form><input name="q">FORM-TEXT</form>
              </main>
              <aside>ASIDE-TEXT</aside>
              <footer>FOOTER-TEXT</footer>
            </body>
            </html>
            """;

    private final PageConverter converter = new PageConverter(2_000, 100_000);

    @Test
    void convertsMainContentToMarkdownWithoutBoilerplate() {
        ConvertedPage page = converter.convert(PAGE.getBytes(StandardCharsets.UTF_8), "utf-8",
                "https://example.com/articles/sample?ref=1");

        assertThat(page.markdown())
                .contains("# Main heading")
                .contains("## Second level")
                .contains("[guide link](https://example.com/docs/guide)")
                .contains("**bold**")
                .containsPattern("(?m)^[-*+] first item$")
                .containsPattern("(?m)^[-*+] second item$")
                .doesNotContain("SCRIPT-TEXT", "HEADER-TEXT", "NAV-TEXT", "FORM-TEXT", "ASIDE-TEXT", "FOOTER-TEXT",
                        "color: red");
    }

    @Test
    void extractsTitleLanguageAndAbsoluteCanonicalUrl() {
        ConvertedPage page = converter.convert(PAGE.getBytes(StandardCharsets.UTF_8), null,
                "https://example.com/articles/sample?ref=1");

        assertThat(page.title()).isEqualTo("Sample article");
        assertThat(page.language()).isEqualTo("de");
        assertThat(page.canonicalUrl()).isEqualTo("https://example.com/articles/sample");
    }

    @Test
    void linksComeFromTheWholePageIncludingNavigation() {
        ConvertedPage page = converter.convert(PAGE.getBytes(StandardCharsets.UTF_8), null,
                "https://example.com/articles/sample");

        assertThat(page.links()).containsExactly("https://example.com/", "https://example.com/about",
                "https://example.com/docs/guide");
    }

    @Test
    void hashesTheMarkdownWithSha256() {
        ConvertedPage page = converter.convert(PAGE.getBytes(StandardCharsets.UTF_8), null, "https://example.com/");

        assertThat(page.contentHash()).hasSize(64).isEqualTo(PageConverter.sha256Hex(page.markdown()));
    }

    @Test
    void cutsMarkdownAtTheCharacterCapAndFlagsIt() {
        PageConverter small = new PageConverter(2_000, 20);

        ConvertedPage page = small.convert(PAGE.getBytes(StandardCharsets.UTF_8), null, "https://example.com/");

        assertThat(page.markdown()).hasSize(20).startsWith("# Main heading");
        assertThat(page.truncated()).isTrue();
    }

    @Test
    void readsTheCharsetFromMetaWhenTheHeaderHasNone() {
        byte[] latin1 = "<html><head><meta charset=\"iso-8859-1\"></head><body><p>Gr\u00fc\u00dfe</p></body></html>"
                .getBytes(StandardCharsets.ISO_8859_1);

        ConvertedPage page = converter.convert(latin1, null, "https://example.com/");

        assertThat(page.markdown()).isEqualTo("Gr\u00fc\u00dfe");
    }

    @Test
    void usesArticleWhenThereIsNoMainAndBodyWhenThereIsNeither() {
        String withArticle = "<html><body><div>OUTSIDE</div><article><h3>Inside</h3></article></body></html>";
        String plain = "<html><body><p>Just text</p></body></html>";

        assertThat(converter.convert(withArticle.getBytes(StandardCharsets.UTF_8), null, "https://e.com/").markdown())
                .isEqualTo("### Inside");
        assertThat(converter.convert(plain.getBytes(StandardCharsets.UTF_8), null, "https://e.com/").markdown())
                .isEqualTo("Just text");
    }

    @Test
    void keepsThePagesOwnQuotesAndDashes() {
        String html = "<html><body><main><p>\u201cQuoted\u201d \u2018single\u2019 \u00abguillemets\u00bb a\u2013b "
                + "a\u2014b wait\u2026</p></main></body></html>";

        assertThat(converter.convert(html.getBytes(StandardCharsets.UTF_8), "utf-8", "https://e.com/").markdown())
                .isEqualTo("\u201cQuoted\u201d \u2018single\u2019 \u00abguillemets\u00bb a\u2013b a\u2014b "
                        + "wait\u2026");
    }

    @Test
    void resolvesEachLinkOnceForBothTheLinkListAndTheMarkdown() {
        String html = "<html><head><base href=\"https://cdn.example/docs/\"></head><body><nav><a href=\"guide\">G</a>"
                + "</nav><main><p><a href=\"guide\">guide</a> <a href=\"guide\">again</a> <img src=\"i.png\" alt=\"i\">"
                + "</p></main></body></html>";

        ConvertedPage page = converter.convert(html.getBytes(StandardCharsets.UTF_8), "utf-8", "https://e.com/x");

        assertThat(page.links()).containsExactly("https://cdn.example/docs/guide");
        assertThat(page.markdown()).contains("[guide](https://cdn.example/docs/guide)",
                "[again](https://cdn.example/docs/guide)", "(https://cdn.example/docs/i.png)");
    }
}
