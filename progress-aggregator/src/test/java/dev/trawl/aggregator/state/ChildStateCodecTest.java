package dev.trawl.aggregator.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.ReasonClass;
import dev.trawl.api.serde.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The children store's hand-written JSON is Jackson's, byte for byte, or left to Jackson. */
class ChildStateCodecTest {

    private static final Random RANDOM = new Random(3);
    private static final String[] ODD = {"a\"b", "c\\d", "tab\t", "caf\u00e9", "\ud83d\ude00", "\u0000", ""};

    @Test
    void writesJacksonsBytesOrLeavesTheStateToJackson() throws Exception {
        int fast = 0;
        for (int i = 0; i < 5_000; i++) {
            boolean plain = i % 2 == 0;
            ChildState state = new ChildState(text(plain), text(plain), RANDOM.nextInt(), status(), RANDOM.nextInt(),
                    text(plain), RANDOM.nextBoolean() ? null : ReasonClass.values()[RANDOM.nextInt(2)],
                    RANDOM.nextBoolean() ? null : RANDOM.nextInt(600), text(plain), instant());
            byte[] jackson = Json.MAPPER.writerFor(ChildState.class).writeValueAsBytes(state);
            byte[] mine = ChildStateCodec.INSTANCE.write(state);
            if (plain) {
                assertThat(mine).as("fast path for %s", state).isNotNull();
            }
            if (mine != null) {
                fast++;
                assertThat(new String(mine, StandardCharsets.UTF_8))
                        .isEqualTo(new String(jackson, StandardCharsets.UTF_8));
                assertThat(Json.MAPPER.readerFor(ChildState.class).<ChildState>readValue(mine)).isEqualTo(state);
            }
        }
        assertThat(fast).isGreaterThanOrEqualTo(2_500);
    }

    private static String text(boolean plain) {
        if (RANDOM.nextInt(6) == 0) {
            return null;
        }
        String base = "http://h" + RANDOM.nextInt(100) + ".test/p/" + RANDOM.nextInt(1000) + "?q=" + RANDOM.nextInt();
        return plain || RANDOM.nextBoolean() ? base : base + ODD[RANDOM.nextInt(ODD.length)];
    }

    private static ChildStatus status() {
        return RANDOM.nextInt(8) == 0 ? null : ChildStatus.values()[RANDOM.nextInt(ChildStatus.values().length)];
    }

    private static Instant instant() {
        return switch (RANDOM.nextInt(4)) {
            case 0 -> null;
            case 1 -> Instant.ofEpochSecond(RANDOM.nextLong(-300_000_000_000L, 300_000_000_000L));
            default -> Instant.ofEpochSecond(1_790_000_000L + RANDOM.nextInt(10_000_000),
                    RANDOM.nextInt(1_000_000_000));
        };
    }
}
