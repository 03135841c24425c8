package dev.trawl.worker.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Pages without {@code <main>} or {@code <article>}: the article text stays, the boilerplate goes. */
class MainContentTest {

    private static final String ARTICLE = """
            <h1>How tides work</h1>
            <p>The Moon pulls on the oceans, and the Earth turns beneath the bulge it raises, so most coasts see two
               high tides a day, roughly twelve hours and twenty-five minutes apart. ARTICLE-ONE</p>
            <p>The Sun adds its own, smaller pull. When Sun and Moon line up, at new and full moon, the tides are
               highest, which sailors call spring tides; at the quarters they are weakest. ARTICLE-TWO</p>
            <p>Local geography shapes all of this: a funnel-shaped bay, like the Bay of Fundy, can raise the range
               to more than fifteen metres, while enclosed seas barely notice the tide at all. ARTICLE-THREE</p>
            """;

    private final PageConverter converter = new PageConverter(2_000, 100_000);

    private String markdown(String html) {
        return converter.convert(html.getBytes(StandardCharsets.UTF_8), "utf-8", "https://news.example/tides")
                .markdown();
    }

    @Test
    void keepsTheArticleOfADivLayoutAndDropsMenusSidebarsAndComments() {
        String page = """
                <html><body>
                <div id="top-bar"><a href="/">News</a> <span>MASTHEAD-TEXT, the daily paper</span></div>
                <div class="menu"><ul><li><a href="/world">World MENU-TEXT</a></li><li><a href="/sci">Science</a></li>
                  <li><a href="/sport">Sport</a></li></ul></div>
                <div class="layout">
                  <div class="sidebar"><p>Popular this week: a long list of stories you might like, SIDEBAR-TEXT,
                     and more stories, and even more stories to read.</p></div>
                  <div class="story-body">%s</div>
                  <div id="comments"><p>First! This comment is long enough to look like a paragraph, COMMENT-TEXT,
                     but it is not part of the article.</p></div>
                </div>
                <div class="cookie-banner"><p>We use cookies to improve your experience, COOKIE-TEXT, please accept
                   them all.</p></div>
                </body></html>
                """.formatted(ARTICLE);

        assertThat(markdown(page))
                .contains("# How tides work", "ARTICLE-ONE", "ARTICLE-TWO", "ARTICLE-THREE")
                .doesNotContain("MENU-TEXT", "SIDEBAR-TEXT", "COMMENT-TEXT", "COOKIE-TEXT");
    }

    @Test
    void prefersProseOverLinkListsWhenNoClassNamesHelp() {
        StringBuilder links = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            links.append("<p><a href=\"/story/").append(i).append("\">Another headline, number ").append(i)
                    .append(", LINKLIST-TEXT</a></p>");
        }
        String page = "<html><body><div>" + links + "</div><div>" + ARTICLE + "</div><div><p>Copyright 2026, "
                + "all rights reserved, FINEPRINT-TEXT.</p></div></body></html>";

        assertThat(markdown(page))
                .contains("# How tides work", "ARTICLE-ONE", "ARTICLE-TWO", "ARTICLE-THREE")
                .doesNotContain("LINKLIST-TEXT", "FINEPRINT-TEXT");
    }

    @Test
    void keepsAnArticleSplitOverSiblingBlocks() {
        String page = """
                <html><body><div role="navigation"><a href="/a">A ROLE-NAV-TEXT</a></div>
                <div class="content">
                  <div class="part"><p>The first part of the story is long enough, with commas, clauses, and detail,
                     to score on its own. PART-ONE</p><p>It goes on for a while, describing, explaining, and
                     arguing its case at some length. PART-ONE-B</p></div>
                  <div class="part"><p>The second part continues the same story, with more commas, more clauses,
                     and more detail. PART-TWO</p><p>And it ends, at last, with a conclusion, a summary, and a
                     final thought. PART-TWO-B</p></div>
                </div>
                <div class="share"><p>Share this on every network you know of, SHARE-TEXT, right now.</p></div>
                </body></html>
                """;

        assertThat(markdown(page))
                .contains("PART-ONE", "PART-ONE-B", "PART-TWO", "PART-TWO-B")
                .doesNotContain("ROLE-NAV-TEXT", "SHARE-TEXT");
    }

    @Test
    void fallsBackToTheBodyWhenNothingLooksLikeAnArticle() {
        assertThat(markdown("<html><body><div>Short</div><div><a href=\"/x\">x</a></div></body></html>"))
                .contains("Short", "[x](https://news.example/x)");
    }
}
