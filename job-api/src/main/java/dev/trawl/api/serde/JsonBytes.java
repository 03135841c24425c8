package dev.trawl.api.serde;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * Writes one JSON object the way {@link Json#MAPPER} does, for the {@link FastJsonCodec}s: properties in the order
 * given, nulls written, no spaces. It writes only strings of printable ASCII without {@code "} or {@code \}
 * (everything in a normalised URL, an id or a status); at anything else {@link #end()} returns null, and the caller
 * leaves the value to Jackson, which knows the escapes.
 */
public final class JsonBytes {

    /** A property's {@code "name":} (with the comma in front when it is not the first), encoded once. */
    public static final class Name {
        final byte[] first;
        final byte[] next;

        public Name(String name) {
            this.first = ("\"" + name + "\":").getBytes(StandardCharsets.US_ASCII);
            this.next = (",\"" + name + "\":").getBytes(StandardCharsets.US_ASCII);
        }
    }

    private static final byte[] NULL = {'n', 'u', 'l', 'l'};
    private static final byte[] LONG_MIN = Long.toString(Long.MIN_VALUE).getBytes(StandardCharsets.US_ASCII);

    private byte[] out;
    private int length;
    private boolean first = true;
    private boolean ok = true;

    public JsonBytes(int capacity) {
        out = new byte[capacity];
        out[length++] = '{';
    }

    public JsonBytes name(Name name) {
        append(first ? name.first : name.next);
        first = false;
        return this;
    }

    public JsonBytes string(String value) {
        if (value == null) {
            append(NULL);
            return this;
        }
        int n = value.length();
        ensure(n + 2);
        out[length++] = '"';
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                ok = false; // Jackson escapes or encodes it: leave the whole value to Jackson
                return this;
            }
            out[length++] = (byte) c;
        }
        out[length++] = '"';
        return this;
    }

    public JsonBytes number(long value) {
        if (value == Long.MIN_VALUE) {
            append(LONG_MIN); // no positive counterpart to write the digits of
            return this;
        }
        if (value < 0) {
            ensure(1);
            out[length++] = '-';
            value = -value;
        }
        int n = 1;
        for (long rest = value / 10; rest != 0; rest /= 10) {
            n++;
        }
        ensure(n);
        for (int i = length + n - 1; i >= length; i--) {
            out[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        length += n;
        return this;
    }

    public JsonBytes number(Integer value) {
        return value == null ? nil() : number(value.longValue());
    }

    public JsonBytes instant(Instant value) {
        if (value == null) {
            return nil();
        }
        ensure(32);
        out[length] = '"';
        int end = IsoInstants.formatInto(value, out, length + 1);
        if (end < 0) {
            return string(IsoInstants.format(value)); // years outside 0000–9999
        }
        out[end] = '"';
        length = end + 1;
        return this;
    }

    public JsonBytes nil() {
        append(NULL);
        return this;
    }

    /** The object, closed; null if a value was left to Jackson. */
    public byte[] end() {
        if (!ok) {
            return null;
        }
        ensure(1);
        out[length++] = '}';
        return Arrays.copyOf(out, length);
    }

    private void append(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, out, length, bytes.length);
        length += bytes.length;
    }

    private void ensure(int more) {
        if (length + more > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, length + more));
        }
    }
}
