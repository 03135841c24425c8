package dev.trawl.worker.parse;

import static org.assertj.core.api.Assertions.assertThat;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;

class LinkExtractorTest {

    private static final String BASE = "http://site.test/docs/page";

    private static Document page(String body) {
        return Jsoup.parse("<html><body>" + body + "</body></html>", BASE);
    }

    @Test
    void resolvesRelativeLinksAgainstThePageUrl() {
        Document doc = page("<a href='other'>a</a><a href='../up'>b</a><a href='/root'>c</a>");

        assertThat(new LinkExtractor(100).extract(doc, BASE))
                .containsExactly("http://site.test/docs/other", "http://site.test/up", "http://site.test/root");
    }

    @Test
    void dropsFragmentsAndLinksToThePageItself() {
        Document doc = page("<a href='#top'>top</a><a href='other#part'>a</a><a href='other#again'>b</a>");

        assertThat(new LinkExtractor(100).extract(doc, BASE)).containsExactly("http://site.test/docs/other");
    }

    @Test
    void keepsOffSiteLinksForTheSchedulerToJudge() {
        Document doc = page("<a href='https://Elsewhere.example:443/x'>x</a>");

        assertThat(new LinkExtractor(100).extract(doc, BASE)).containsExactly("https://elsewhere.example/x");
    }

    @Test
    void dropsJavascriptMailtoAndOtherSchemes() {
        Document doc = page("<a href='javascript:alert(1)'>j</a><a href='mailto:a@b.c'>m</a>"
                + "<a href='ftp://f.test/x'>f</a><a href='tel:123'>t</a><a href=''>empty</a><a>no href</a>");

        assertThat(new LinkExtractor(100).extract(doc, BASE)).isEmpty();
    }

    @Test
    void capsTheNumberOfLinks() {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            body.append("<a href='/p/").append(i).append("'>").append(i).append("</a>");
        }

        assertThat(new LinkExtractor(10).extract(page(body.toString()), BASE))
                .hasSize(10).startsWith("http://site.test/p/0");
    }
}
