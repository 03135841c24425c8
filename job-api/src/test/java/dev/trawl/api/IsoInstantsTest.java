package dev.trawl.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trawl.api.serde.IsoInstants;
import dev.trawl.api.serde.Json;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;

class IsoInstantsTest {

    record Stamped(Instant at) {
    }

    @Test
    void writesExactlyWhatIsoInstantWrites() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 200_000; i++) {
            long seconds = random.nextLong(-62_167_219_200L, 253_402_300_799L); // years 0000–9999
            int nano = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant instant = Instant.ofEpochSecond(seconds, nano);
            String text = IsoInstants.format(instant);
            assertThat(text).isEqualTo(DateTimeFormatter.ISO_INSTANT.format(instant));
            assertThat(IsoInstants.parseFast(text)).isEqualTo(instant);
        }
        for (Instant edge : new Instant[] {Instant.EPOCH, Instant.EPOCH.minusNanos(1), Instant.MAX, Instant.MIN,
                Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999999999Z"),
                Instant.parse("2024-02-29T12:00:00.100Z")}) {
            assertThat(IsoInstants.format(edge)).isEqualTo(DateTimeFormatter.ISO_INSTANT.format(edge));
        }
    }

    @Test
    void readsEveryFractionLengthAndFallsBackForOtherShapes() throws Exception {
        assertThat(IsoInstants.parseFast("2026-11-22T09:19:04.1Z"))
                .isEqualTo(Instant.parse("2026-11-22T09:19:04.100Z"));
        assertThat(IsoInstants.parseFast("2026-11-22T09:19:04.12345Z"))
                .isEqualTo(Instant.parse("2026-11-22T09:19:04.123450Z"));
        assertThat(IsoInstants.parseFast("2026-11-22T10:19:04+01:00")).isNull();
        assertThat(read("\"2026-11-22T10:19:04+01:00\"")).isEqualTo(Instant.parse("2026-11-22T09:19:04Z"));
        assertThat(read("\"2026-11-22T09:19:04.5Z\"")).isEqualTo(Instant.parse("2026-11-22T09:19:04.500Z"));
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        assertThat(Json.MAPPER.readValue(Json.MAPPER.writeValueAsString(new Stamped(now)), Stamped.class).at())
                .isEqualTo(now);
        assertThat(Json.MAPPER.writeValueAsString(new Stamped(Instant.parse("2026-01-02T03:04:05.060Z"))))
                .isEqualTo("{\"at\":\"2026-01-02T03:04:05.060Z\"}");
    }

    @Test
    void rejectsImpossibleDatesAndGarbage() {
        assertThatThrownBy(() -> read("\"2026-02-30T00:00:00Z\"")).isInstanceOf(JacksonException.class);
        assertThatThrownBy(() -> read("\"2026-11-22T24:00:00Z\"")).isInstanceOf(JacksonException.class);
        assertThatThrownBy(() -> read("\"2026-13-01T00:00:00Z\"")).isInstanceOf(JacksonException.class);
        assertThatThrownBy(() -> read("\"yesterday\"")).isInstanceOf(JacksonException.class);
    }

    private static Instant read(String json) {
        return Json.MAPPER.readValue("{\"at\":" + json + "}", Stamped.class).at();
    }
}
