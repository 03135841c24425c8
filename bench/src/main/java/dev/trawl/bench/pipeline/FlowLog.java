package dev.trawl.bench.pipeline;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The adaptive window's limit as the aggregator logs it, once a second, on lines containing {@code flow:}: the
 * number after {@code limit} ({@code limit=120}, {@code limit 120}), else the first number after {@code flow:}.
 * Only the part of the log written during a crawl is read ({@link #position} before, {@link #limits} after).
 */
final class FlowLog {

    private static final Pattern LIMIT = Pattern.compile("limit\\D{0,3}?(\\d+)");
    private static final Pattern NUMBER = Pattern.compile("(\\d+)");

    private FlowLog() {
    }

    /** The log's current length, where the next crawl's lines start. */
    static long position(Path log) {
        try {
            return Files.exists(log) ? Files.size(log) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** The limits logged between byte offsets {@code from} and {@code to}, in order. */
    static List<Long> limits(Path log, long from, long to) {
        List<Long> limits = new ArrayList<>();
        if (to <= from) {
            return limits;
        }
        byte[] bytes = new byte[(int) (to - from)];
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            file.seek(from);
            file.readFully(bytes);
        } catch (IOException e) {
            return limits;
        }
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            int at = line.indexOf("flow:");
            if (at < 0) {
                continue;
            }
            String rest = line.substring(at + "flow:".length());
            Matcher m = LIMIT.matcher(rest);
            if (m.find() || (m = NUMBER.matcher(rest)).find()) {
                limits.add(Long.parseLong(m.group(1)));
            }
        }
        return limits;
    }
}
