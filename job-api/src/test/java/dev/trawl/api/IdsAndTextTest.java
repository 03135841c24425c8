package dev.trawl.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trawl.api.id.Ids;
import dev.trawl.api.id.UrlNormalizer;
import dev.trawl.api.progress.ProgressText;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IdsAndTextTest {

    @Test
    void progressTextHasTheExactFormat() {
        assertThat(ProgressText.format(66, 1, 41, 0)).isEqualTo("66 pending, 1 running, 41 completed, 0 failed");
    }

    @ParameterizedTest
    @CsvSource({
            "HTTP://Example.COM:80/a/./b/../c#frag, http://example.com/a/c",
            "https://example.com, https://example.com/",
            "https://example.com:443/x?b=1&a=%2f, https://example.com/x?b=1&a=%2F",
            "https://example.com:8443/x, https://example.com:8443/x",
            "http://example.com/a b, http://example.com/a%20b",
            "http://bücher.example/, http://xn--bcher-kva.example/",
    })
    void urlsAreNormalised(String raw, String normalised) {
        assertThat(UrlNormalizer.normalize(raw)).contains(normalised);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://example.com/", "javascript:alert(1)", "mailto:a@b.c", "/relative", "", "http://"})
    void nonHttpOrRelativeUrlsAreRefused(String raw) {
        assertThat(UrlNormalizer.normalize(raw)).isEmpty();
    }

    @Test
    void overlongUrlsAreRefused() {
        assertThat(UrlNormalizer.normalize("http://example.com/" + "a".repeat(UrlNormalizer.MAX_URL_LENGTH))).isEmpty();
    }

    @Test
    void childIdsAreDeterministicAndIgnoreFragmentsAndTrailingSlashes() {
        String id = Ids.childId("p1", "http://example.com/docs");
        assertThat(Ids.childId("p1", "HTTP://example.com/docs/#intro")).isEqualTo(id);
        assertThat(Ids.childId("p1", "http://example.com/docs")).isEqualTo(id);
        assertThat(Ids.childId("p2", "http://example.com/docs")).isNotEqualTo(id);
        assertThat(Ids.childId("p1", "http://example.com/docs?page=2")).isNotEqualTo(id);
        assertThat(id).hasSize(32).matches("[0-9a-f]+");
        assertThat(Ids.documentId("p1", "http://example.com/docs/")).isEqualTo(id);
        assertThat(Ids.childIdOfNormalized("p1", UrlNormalizer.normalize("http://example.com/docs/").orElseThrow()))
                .isEqualTo(id);
        assertThatThrownBy(() -> Ids.childId("p1", "ftp://x/")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parentIdsAreUniqueAndSortByCreationTime() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(Ids.newParentId());
        }
        assertThat(ids).hasSize(10_000);
        String earlier = Ids.newParentId(1_700_000_000_000L);
        String later = Ids.newParentId(1_700_000_000_001L);
        assertThat(earlier).hasSize(26).isLessThan(later);
    }

    @Test
    void hostShardKeysSpreadAHostOverItsShardsAndStayStable() {
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            keys.add(Ids.hostShardKey("example.com", Ids.childId("p", "http://example.com/" + i), 4));
        }
        assertThat(keys).containsExactlyInAnyOrder("example.com#0", "example.com#1", "example.com#2",
                "example.com#3");
        assertThat(Ids.hostShardKey("example.com", "c", 1)).isEqualTo("example.com");
    }
}
