package dev.trawl.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trawl.api.event.ChildProgress;
import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.ChildStatusChanged;
import dev.trawl.api.event.CrawlTask;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.event.LinksDiscovered;
import dev.trawl.api.event.ReasonClass;
import dev.trawl.api.serde.FastJsonCodec;
import dev.trawl.api.serde.FastJsonCodecs;
import dev.trawl.api.serde.Json;
import dev.trawl.api.serde.JsonSerde;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * The hand-written codecs are held to Jackson: whatever they write is Jackson's bytes, whatever they read is the
 * value Jackson reads, and whatever Jackson refuses they leave to Jackson. Values and documents are generated, odd
 * ones included (escapes, non-ASCII, nulls, extreme numbers and instants, reordered and unknown fields).
 */
class FastJsonCodecsTest {

    private static final Random RANDOM = new Random(20261122);
    private static final String[] ODD_STRINGS = {"", "a\"b", "back\\slash", "tab\there", "new\nline", "\u0001",
        "caf\u00e9", "\u65e5\u672c", "emoji \ud83d\ude00", "lone \ud83d", "\u007f", "/slash/", "</script>", "\u2028"};

    @Test
    void writesExactlyJacksonsBytesOrLeavesTheValueToJackson() throws Exception {
        FastJsonCodec<ChildProgress> progress = FastJsonCodecs.forType(ChildProgress.class);
        FastJsonCodec<CrawlTask> tasks = FastJsonCodecs.forType(CrawlTask.class);
        FastJsonCodec<JobEvent> events = FastJsonCodecs.forType(JobEvent.class);
        int[] fast = new int[3];
        for (int i = 0; i < 5_000; i++) {
            boolean plain = i % 2 == 0;
            ChildProgress p = new ChildProgress(string(plain), string(plain), string(plain), integer(), status(),
                    integer(), string(plain), reasonClass(), RANDOM.nextBoolean() ? null : integer(), string(plain),
                    instant());
            fast[0] += sameAsJackson(progress, ChildProgress.class, p, plain);
            CrawlTask t = new CrawlTask(string(plain), string(plain), string(plain), integer(), integer(), integer(),
                    instant());
            fast[1] += sameAsJackson(tasks, CrawlTask.class, t, plain);
            ChildStatusChanged c = new ChildStatusChanged(string(plain), string(plain), string(plain), string(plain),
                    integer(), status(), integer(), instant(), string(plain), reasonClass(),
                    RANDOM.nextBoolean() ? null : integer(), string(plain), RANDOM.nextLong());
            fast[2] += sameAsJackson(events, JobEvent.class, c, plain);
        }
        // each codec's fast path ran for every plain value: a codec that always handed back to Jackson fails here
        assertThat(fast[0]).as("plain progress takes the fast path").isGreaterThanOrEqualTo(2_500);
        assertThat(fast[1]).as("plain tasks take the fast path").isGreaterThanOrEqualTo(2_500);
        assertThat(fast[2]).as("plain status events take the fast path").isGreaterThanOrEqualTo(2_500);
        assertThat(events.write(new LinksDiscovered("e", "p", "c", 0, Instant.EPOCH, List.of("http://a/"))))
                .as("other events are Jackson's").isNull();
    }

    @Test
    void readsWhatJacksonReadsAndLeavesTheRestToJackson() throws Exception {
        FastJsonCodec<JobEvent> events = FastJsonCodecs.forType(JobEvent.class);
        var reader = Json.MAPPER.readerFor(JobEvent.class);
        int fast = 0;
        int refused = 0;
        for (int i = 0; i < 3_000; i++) {
            boolean plain = i % 2 == 0;
            JobEvent event = i % 3 == 0
                    ? new LinksDiscovered(string(plain), string(plain), string(plain), integer(), instant(),
                    urls(plain))
                    : new ChildStatusChanged(string(plain), string(plain), string(plain), string(plain), integer(),
                    status(), integer(), instant(), string(plain), reasonClass(),
                    RANDOM.nextBoolean() ? null : integer(), string(plain), RANDOM.nextLong());
            String json = Json.MAPPER.writerFor(JobEvent.class).writeValueAsString(event);
            for (String document : variants(json)) {
                byte[] bytes = document.getBytes(StandardCharsets.UTF_8);
                JobEvent jackson;
                try {
                    jackson = reader.readValue(bytes);
                } catch (Exception e) {
                    jackson = null;
                    refused++;
                }
                JobEvent mine = events.read(bytes);
                if (mine != null) {
                    fast++;
                    assertThat(mine).as(document).isEqualTo(jackson);
                }
            }
            if (plain && (event.timestamp() == null || Character.isDigit(event.timestamp().toString().charAt(0)))) {
                assertThat(events.read(json.getBytes(StandardCharsets.UTF_8))).as("Jackson's own JSON, fast: " + json)
                        .isEqualTo(event);
            }
        }
        assertThat(fast).isGreaterThan(3_000);
        assertThat(refused).as("some variants are invalid, and Jackson refuses them").isGreaterThan(100);
    }

    @Test
    void theSerdeTakesItsFastPathForTheHotTypesAndJacksonsForTheRest() {
        ChildStatusChanged plain = new ChildStatusChanged("e", "p", "c", "http://a/", 1, ChildStatus.COMPLETED, 1,
                Instant.parse("2026-12-07T10:00:00.123Z"), null, null, 200, "d", 42);
        Counting<JobEvent> counting = new Counting<>(FastJsonCodecs.forType(JobEvent.class));
        JsonSerde<JobEvent> serde = new JsonSerde<>(JobEvent.class, counting);

        byte[] bytes = serde.serialize("t", plain);
        JobEvent read = serde.deserialize("t", bytes);
        serde.serialize("t", new LinksDiscovered("e", "p", "c", 0, Instant.EPOCH, List.of("http://a/")));

        assertThat(read).isEqualTo(plain);
        assertThat(counting.written).as("writes the codec answered").isEqualTo(1);
        assertThat(counting.read).as("reads the codec answered").isEqualTo(1);
        assertThat(counting.handedBack).as("values left to Jackson").isEqualTo(1);
        // the serdes the topics are built with (JsonSerde(type)) have a codec for each hot type
        for (Class<?> hot : List.of(JobEvent.class, ChildProgress.class, CrawlTask.class)) {
            assertThat(FastJsonCodecs.forType(hot)).as("the codec of %s", hot.getSimpleName()).isNotNull();
        }
    }

    @Test
    void theSerdeStillNamesWhatCannotBeRead() {
        JsonSerde<JobEvent> serde = new JsonSerde<>(JobEvent.class);
        String bad = "{\"type\":\"child_status_changed\",\"parent_id\":\"p\",\"status\":\"exploded\"}";
        assertThatThrownBy(() -> serde.deserialize("t", bad.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("cannot read JobEvent");
        String late = "{\"parent_id\":\"p\",\"type\":\"child_status_changed\",\"status\":\"running\",\"depth\":0,"
                + "\"attempt\":1,\"bytes\":0}";
        assertThat(serde.deserialize("t", late.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ChildStatusChanged.class).extracting(JobEvent::parentId).isEqualTo("p");
    }

    private static <T> int sameAsJackson(FastJsonCodec<T> codec, Class<T> type, T value, boolean mustBeFast)
            throws Exception {
        byte[] jackson = Json.MAPPER.writerFor(type).writeValueAsBytes(value);
        byte[] mine = codec.write(value);
        if (mustBeFast) {
            assertThat(mine).as("fast path for %s", value).isNotNull();
        }
        if (mine == null) {
            return 0;
        }
        assertThat(new String(mine, StandardCharsets.UTF_8)).isEqualTo(new String(jackson, StandardCharsets.UTF_8));
        assertThat(mine).isEqualTo(jackson);
        return 1;
    }

    /** Counts what a codec answered and what it handed back to Jackson. */
    private static final class Counting<T> implements FastJsonCodec<T> {

        private final FastJsonCodec<T> codec;
        int written;
        int read;
        int handedBack;

        Counting(FastJsonCodec<T> codec) {
            this.codec = codec;
        }

        @Override
        public byte[] write(T value) {
            byte[] json = codec.write(value);
            if (json == null) {
                handedBack++;
            } else {
                written++;
            }
            return json;
        }

        @Override
        public T read(byte[] json) {
            T value = codec.read(json);
            if (value == null) {
                handedBack++;
            } else {
                read++;
            }
            return value;
        }
    }

    /** The document, and variants of it Jackson may or may not accept. */
    private static List<String> variants(String json) {
        List<String> out = new ArrayList<>();
        out.add(json);
        out.add(json.replace("{\"type\"", " {\n \"extra\":{\"a\":[1,{\"b\":null}]},\"type\""));
        out.add(json.replace("}", ",\"unknown\":[1,2,{\"x\":\"y\"}]}"));
        out.add(json.replace("\"depth\":", "\"depth\":\"") .replaceFirst("(\"depth\":\"-?\\d+)", "$1\""));
        out.add(json.replace("\"attempt\":", "\"attempt\":null,\"x\":"));
        out.add(json.replace("\"depth\":", "\"depth\":1.5,\"y\":"));
        out.add(json.replace("\"depth\":", "\"depth\":99999999999,\"y\":"));
        out.add(json.replace("\"status\":\"", "\"status\":\"x"));
        out.add(json.replace("\"status\":\"", "\"status\":1,\"z\":\""));
        out.add(json.replace("Z\"", "+01:00\""));
        out.add(json.replace("T", "t"));
        out.add(json.replace("\"timestamp\":\"", "\"timestamp\":\" "));
        out.add(json + "  ");
        out.add(json + "x");
        out.add(json + "{}");
        out.add(json.substring(0, json.length() - 1));
        out.add(json.replace("\"urls\":[", "\"urls\":[null,"));
        out.add(json.replace("\"urls\":[", "\"urls\":null,\"q\":["));
        out.add(json.replace("\"urls\":[", "\"urls\":\"http://a/\",\"q\":["));
        out.add(json.replace("\"event_id\":", "\"event_id\":7,\"w\":"));
        out.add(json.replace("\"parent_id\":", "\"type\":\"job_sealed\",\"parent_id\":"));
        out.add(json.replace("\"type\":\"child_status_changed\"", "\"type\":\"links_discovered\""));
        out.add(json.replace("\"bytes\":", "\"bytes\":-"));
        out.add(json.replace("\"depth\":", "\"dpth\":"));
        out.add(json.replace(",", " ,\n\t").replace(":", " \r: "));
        out.add(json.replace("\"event_id\":\"", "\"event_id\":\"\\u0041\\\"q"));
        out.add(json.replace("\"url\":\"", "\"url\":\"caf\u00e9"));
        out.add(json.replace("\"depth\":", "\"depth\":0"));
        out.add(json.replace("\"depth\":", "\"depth\":-0,\"d\":"));
        out.add(json.replace("\"attempt\":", "\"attempt\":1e2,\"e\":"));
        out.add(json.replace("\"bytes\":", "\"bytes\":1234567890123456789012,\"f\":"));
        out.add(json.replace("\"bytes\":", "\"bytes\":9223372036854775807,\"f\":"));
        out.add(json.replace("\"reason\":", "\"reason\":true,\"g\":"));
        out.add(json.replace("\"event_id\":", "\"event_id\":\"dup\",\"event_id\":"));
        out.add(json.replace("\"event_id\":", "\"extra\":[1,2],\"more\":{\"a\":\"}\"},\"event_id\":"));
        out.add(json.replace("\"event_id\":", "\"extra\":[1 2],\"event_id\":"));
        out.add(json.replace("\"event_id\":", "\"extra\":tru,\"event_id\":"));
        out.add(json.replace("\"event_id\":", "\"extra\":false,\"n\":null,\"s\":\"x\",\"i\":-12,\"event_id\":"));
        out.add(json.replace("\"event_id\":\"", "\"event_id\":\"\u007f"));
        out.add("\ufeff" + json);
        out.add(json.replace("{", "{,"));
        out.add(json.replace("}", ",}"));
        out.add(json.replace("\"", "'"));
        out.add(json.replace("\"urls\":[", "\"urls\":[ ]" + ",\"u\":["));
        out.add(json.replace("\"timestamp\":\"", "\"timestamp\":\"2026-02-30T00:00:00Z\",\"t\":\""));
        try {
            out.add(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(Json.MAPPER.readTree(json)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        out.add(json.replace("\"attempt\":", "\"atempt\":"));
        out.add(json.replace("\"bytes\":", "\"byts\":"));
        out.add(json.replace("\"http_status\":", "\"http_status\":\"200\",\"h\":"));
        return out;
    }

    private static String string(boolean plain) {
        if (RANDOM.nextInt(8) == 0) {
            return null;
        }
        if (!plain && RANDOM.nextBoolean()) {
            return "x" + ODD_STRINGS[RANDOM.nextInt(ODD_STRINGS.length)] + RANDOM.nextInt(100);
        }
        StringBuilder s = new StringBuilder("http://h" + RANDOM.nextInt(50) + ".test/");
        for (int i = RANDOM.nextInt(30); i > 0; i--) {
            s.append((char) (0x20 + RANDOM.nextInt(0x5f)));
        }
        String out = s.toString();
        return plain ? out.replace("\"", "").replace("\\", "") : out;
    }

    private static List<String> urls(boolean plain) {
        List<String> urls = new ArrayList<>();
        for (int i = RANDOM.nextInt(5); i > 0; i--) {
            String url = string(plain);
            urls.add(url == null ? "http://n/" : url);
        }
        return urls;
    }

    private static int integer() {
        return switch (RANDOM.nextInt(5)) {
            case 0 -> Integer.MIN_VALUE;
            case 1 -> Integer.MAX_VALUE;
            case 2 -> -RANDOM.nextInt(10);
            default -> RANDOM.nextInt(1000);
        };
    }

    private static ChildStatus status() {
        return RANDOM.nextInt(6) == 0 ? null : ChildStatus.values()[RANDOM.nextInt(ChildStatus.values().length)];
    }

    private static ReasonClass reasonClass() {
        return RANDOM.nextBoolean() ? null : ReasonClass.values()[RANDOM.nextInt(ReasonClass.values().length)];
    }

    private static Instant instant() {
        return switch (RANDOM.nextInt(8)) {
            case 0 -> null;
            case 1 -> Instant.ofEpochSecond(RANDOM.nextLong(-400_000_000_000L, 400_000_000_000L));
            case 2 -> Instant.ofEpochSecond(RANDOM.nextInt(), RANDOM.nextInt(1_000_000_000));
            case 3 -> Instant.ofEpochMilli(RANDOM.nextLong(4_000_000_000_000L));
            case 4 -> Instant.ofEpochSecond(RANDOM.nextInt(), RANDOM.nextInt(1_000_000) * 1000L);
            default -> Instant.ofEpochSecond(1_800_000_000L + RANDOM.nextInt(100_000_000),
                    RANDOM.nextInt(1_000_000_000));
        };
    }
}
