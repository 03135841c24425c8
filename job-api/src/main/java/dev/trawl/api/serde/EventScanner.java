package dev.trawl.api.serde;

import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.ChildStatusChanged;
import dev.trawl.api.event.JobEvent;
import dev.trawl.api.event.LinksDiscovered;
import dev.trawl.api.event.ReasonClass;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the two commonest events straight from their bytes: strict JSON, {@code "type"} first, strings of printable
 * ASCII without escapes, integers without fraction or exponent. Anything else (an escape, a non-ASCII character, a
 * duplicate or missing property, a number Jackson would have to coerce, a syntax error) stops the scan, and Jackson
 * reads the event instead: it stays the definition of what is accepted and of every error message.
 *
 * <p>Over 300 lines: one byte-level grammar for two event types, which would be harder to check spread over
 * files. Why it exists at all: {@link FastJsonCodecs}, measured in the whole pipeline.
 */
final class EventScanner {

    private static final byte[] TYPE = bytes("type");
    private static final byte[] STATUS_CHANGED = bytes("child_status_changed");
    private static final byte[] LINKS = bytes("links_discovered");
    /** Property names; a property's index is its bit in the seen-mask. */
    private static final byte[][] NAMES = {bytes("event_id"), bytes("parent_id"), bytes("child_id"), bytes("url"),
        bytes("depth"), bytes("status"), bytes("attempt"), bytes("timestamp"), bytes("reason"), bytes("reason_class"),
        bytes("http_status"), bytes("document_id"), bytes("bytes"), bytes("urls"), bytes("type")};
    private static final int EVENT_ID = 0;
    private static final int PARENT_ID = 1;
    private static final int CHILD_ID = 2;
    private static final int URL = 3;
    private static final int DEPTH = 4;
    private static final int STATUS = 5;
    private static final int ATTEMPT = 6;
    private static final int TIMESTAMP = 7;
    private static final int REASON = 8;
    private static final int REASON_CLASS = 9;
    private static final int HTTP_STATUS = 10;
    private static final int DOCUMENT_ID = 11;
    private static final int BYTES = 12;
    private static final int URLS = 13;
    // index 14, a second "type", is known so that no event skips it as an unknown property: it stops the scan

    private final byte[] in;
    private int at;
    /** Where the last string token's content starts and ends (exclusive), after {@link #string()}. */
    private int from;
    private int to;
    private long number;

    private EventScanner(byte[] in) {
        this.in = in;
    }

    /** The event, or null when Jackson should read it. */
    static JobEvent read(byte[] json) {
        try {
            return new EventScanner(json).event();
        } catch (Stop | DateTimeException | IllegalArgumentException | NullPointerException
                 | ArrayIndexOutOfBoundsException e) {
            return null;
        }
    }

    private JobEvent event() {
        skipSpace();
        expect('{');
        skipSpace();
        if (!string() || !is(TYPE)) {
            return null;
        }
        colon();
        if (!string()) {
            return null;
        }
        JobEvent event;
        if (is(STATUS_CHANGED)) {
            event = statusChanged();
        } else if (is(LINKS)) {
            event = links();
        } else {
            return null;
        }
        skipSpace();
        if (at != in.length) {
            throw Stop.INSTANCE; // trailing content: Jackson decides
        }
        return event;
    }

    private ChildStatusChanged statusChanged() {
        String eventId = null;
        String parentId = null;
        String childId = null;
        String url = null;
        int depth = 0;
        ChildStatus status = null;
        int attempt = 0;
        Instant timestamp = null;
        String reason = null;
        ReasonClass reasonClass = null;
        Integer httpStatus = null;
        String documentId = null;
        long bytes = 0;
        int seen = 0;
        for (int field = nextField(); field != -2; field = nextField()) {
            seen = mark(seen, field);
            switch (field) {
                case EVENT_ID -> eventId = text();
                case PARENT_ID -> parentId = text();
                case CHILD_ID -> childId = text();
                case URL -> url = text();
                case DEPTH -> depth = intValue();
                case STATUS -> status = enumValue(FastJsonCodecs.CHILD_STATUS);
                case ATTEMPT -> attempt = intValue();
                case TIMESTAMP -> timestamp = instant();
                case REASON -> reason = text();
                case REASON_CLASS -> reasonClass = enumValue(FastJsonCodecs.REASON_CLASS);
                case HTTP_STATUS -> httpStatus = literalNull() ? null : intValue();
                case DOCUMENT_ID -> documentId = text();
                case BYTES -> bytes = longValue();
                case -1 -> skipValue();
                default -> throw Stop.INSTANCE; // urls, or type again
            }
        }
        int primitives = (1 << DEPTH) | (1 << ATTEMPT) | (1 << BYTES);
        if ((seen & primitives) != primitives) {
            throw Stop.INSTANCE; // Jackson refuses an event without them
        }
        return new ChildStatusChanged(eventId, parentId, childId, url, depth, status, attempt, timestamp, reason,
                reasonClass, httpStatus, documentId, bytes);
    }

    private LinksDiscovered links() {
        String eventId = null;
        String parentId = null;
        String childId = null;
        int depth = 0;
        Instant timestamp = null;
        List<String> urls = null;
        int seen = 0;
        for (int field = nextField(); field != -2; field = nextField()) {
            seen = mark(seen, field);
            switch (field) {
                case EVENT_ID -> eventId = text();
                case PARENT_ID -> parentId = text();
                case CHILD_ID -> childId = text();
                case DEPTH -> depth = intValue();
                case TIMESTAMP -> timestamp = instant();
                case URLS -> urls = strings();
                case -1, URL, STATUS, ATTEMPT, REASON, REASON_CLASS, HTTP_STATUS, DOCUMENT_ID, BYTES -> skipValue();
                default -> throw Stop.INSTANCE;
            }
        }
        if ((seen & (1 << DEPTH)) == 0) {
            throw Stop.INSTANCE;
        }
        return new LinksDiscovered(eventId, parentId, childId, depth, timestamp, urls);
    }

    /** {@code seen} with {@code field} added; a property seen twice is left to Jackson (unknown ones, -1, are not kept). */
    private static int mark(int seen, int field) {
        if (field < 0) {
            return seen;
        }
        if ((seen & (1 << field)) != 0) {
            throw Stop.INSTANCE;
        }
        return seen | 1 << field;
    }

    /** After a value: the next property's index (-1 unknown), positioned at its value; -2 at the object's end. */
    private int nextField() {
        skipSpace();
        byte b = in[at++];
        if (b == '}') {
            return -2;
        }
        if (b != ',') {
            throw Stop.INSTANCE;
        }
        skipSpace();
        if (!string()) {
            throw Stop.INSTANCE;
        }
        colon();
        int length = to - from;
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].length == length && Arrays.equals(in, from, to, NAMES[i], 0, length)) {
                return i;
            }
        }
        return -1;
    }

    private void colon() {
        skipSpace();
        expect(':');
        skipSpace();
    }

    /**
     * A string token at the cursor, plain (printable ASCII, no escapes): true with its bounds in {@link #from} and
     * {@link #to}. Anything else stops the scan.
     */
    private boolean string() {
        if (in[at] != '"') {
            return false;
        }
        int i = at + 1;
        from = i;
        while (true) {
            byte b = in[i];
            if (b == '"') {
                break;
            }
            if (b < 0x20 || b == '\\' || b == 0x7f) { // negative: a UTF-8 byte of a non-ASCII character
                throw Stop.INSTANCE;
            }
            i++;
        }
        to = i;
        at = i + 1;
        return true;
    }

    private boolean is(byte[] word) {
        return to - from == word.length && Arrays.equals(in, from, to, word, 0, word.length);
    }

    private String text() {
        if (literalNull()) {
            return null;
        }
        if (!string()) {
            throw Stop.INSTANCE; // a number or a boolean Jackson would coerce
        }
        return new String(in, from, to - from, StandardCharsets.ISO_8859_1);
    }

    private Instant instant() {
        String text = text();
        if (text == null) {
            return null;
        }
        Instant instant = IsoInstants.parseFast(text.trim());
        if (instant == null) {
            throw Stop.INSTANCE;
        }
        return instant;
    }

    private <E extends Enum<E>> E enumValue(WireNames<E> names) {
        String text = text();
        if (text == null) {
            return null;
        }
        E value = names.parse(text);
        if (value == null) {
            throw Stop.INSTANCE;
        }
        return value;
    }

    private List<String> strings() {
        if (literalNull()) {
            return null;
        }
        expect('[');
        List<String> out = new ArrayList<>();
        skipSpace();
        if (in[at] == ']') {
            at++;
            return out;
        }
        while (true) {
            skipSpace();
            if (!string()) {
                throw Stop.INSTANCE; // null or another kind of element
            }
            out.add(new String(in, from, to - from, StandardCharsets.ISO_8859_1));
            skipSpace();
            byte b = in[at++];
            if (b == ']') {
                return out;
            }
            if (b != ',') {
                throw Stop.INSTANCE;
            }
        }
    }

    private boolean literalNull() {
        if (in[at] == 'n' && in[at + 1] == 'u' && in[at + 2] == 'l' && in[at + 3] == 'l') {
            at += 4;
            return true;
        }
        return false;
    }

    private int intValue() {
        long value = longValue();
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw Stop.INSTANCE;
        }
        return (int) value;
    }

    /** An integer within ±{@code Long.MAX_VALUE}, no leading zero, no fraction or exponent. */
    private long longValue() {
        boolean negative = in[at] == '-';
        int i = negative ? at + 1 : at;
        int start = i;
        long value = 0;
        while (i < in.length && in[i] >= '0' && in[i] <= '9') {
            int digit = in[i] - '0';
            if (value > (Long.MAX_VALUE - digit) / 10) {
                throw Stop.INSTANCE; // beyond a long: Jackson says what it makes of it
            }
            value = value * 10 + digit;
            i++;
        }
        int digits = i - start;
        if (digits == 0 || (digits > 1 && in[start] == '0')) {
            throw Stop.INSTANCE;
        }
        if (i < in.length && (in[i] == '.' || in[i] == 'e' || in[i] == 'E')) {
            throw Stop.INSTANCE;
        }
        at = i;
        return negative ? -value : value;
    }

    /**
     * Skips the value of a property nobody reads, if it is a plain scalar; an object or an array there is left to
     * Jackson, which checks its syntax.
     */
    private void skipValue() {
        byte b = in[at];
        if (b == '"') {
            string();
        } else if (b == 'n') {
            literal("null");
        } else if (b == 't') {
            literal("true");
        } else if (b == 'f') {
            literal("false");
        } else {
            longValue();
        }
    }

    private void literal(String word) {
        for (int i = 0; i < word.length(); i++) {
            if (in[at + i] != word.charAt(i)) {
                throw Stop.INSTANCE;
            }
        }
        at += word.length();
    }

    private void expect(char c) {
        if (in[at] != c) {
            throw Stop.INSTANCE;
        }
        at++;
    }

    private void skipSpace() {
        while (at < in.length) {
            byte b = in[at];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return;
            }
            at++;
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Where the scan stops and Jackson takes over; no stack trace, it is not an error. */
    private static final class Stop extends RuntimeException {
        static final Stop INSTANCE = new Stop();

        private Stop() {
            super(null, null, false, false);
        }
    }
}
