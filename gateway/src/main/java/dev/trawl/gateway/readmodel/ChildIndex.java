package dev.trawl.gateway.readmodel;

import java.util.Arrays;

/**
 * Where the latest records of one finished job's children sit in {@code trawl.child-progress}, packed: two parallel
 * {@code long[]}s sorted by a 64-bit hash of the child id, the other holding {@code partition << 48 | offset}. That
 * is 16 bytes a child (plus the slack of a late insert), against some 600 for a held {@code ChildProgress} with its
 * strings and map entries; {@link ChildRecordReader} reads the records back on request.
 *
 * <p>Written by the read model's consumer thread, read by request threads: every method holds the lock. A late
 * record is an insert or an update in place; a tombstone a removal.
 */
final class ChildIndex {

    private static final int OFFSET_BITS = 48;
    private static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;

    private long[] keys;
    private long[] positions;
    private int size;

    /** {@code keys} and {@code positions} are taken as they are (parallel, any order; sorted here). */
    ChildIndex(long[] keys, long[] positions) {
        Integer[] order = new Integer[keys.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Long.compare(keys[a], keys[b]));
        this.keys = new long[keys.length];
        this.positions = new long[keys.length];
        for (int i = 0; i < order.length; i++) {
            this.keys[i] = keys[order[i]];
            this.positions[i] = positions[order[i]];
        }
        this.size = keys.length;
    }

    static long position(int partition, long offset) {
        if (partition < 0 || partition >= 1 << (63 - OFFSET_BITS) || offset < 0 || offset > OFFSET_MASK) {
            throw new IllegalArgumentException("position out of range: " + partition + "@" + offset);
        }
        return (long) partition << OFFSET_BITS | offset;
    }

    static int partition(long position) {
        return (int) (position >>> OFFSET_BITS);
    }

    static long offset(long position) {
        return position & OFFSET_MASK;
    }

    /**
     * The index key of a child id: 64 bits of FNV-1a over its characters, finished with a SplitMix64 mix. Two
     * children of one job share a key with a chance of about n²/2⁶⁵ (10⁻¹³ for 1,000 children); a collision would
     * hide one of the two, never show a wrong record (a position is only ever that of the job's own record).
     */
    static long key(String childId) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < childId.length(); i++) {
            h = (h ^ childId.charAt(i)) * 0x100000001b3L;
        }
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }

    synchronized void put(long key, long position) {
        int at = Arrays.binarySearch(keys, 0, size, key);
        if (at >= 0) {
            positions[at] = position;
            return;
        }
        int insert = -at - 1;
        if (size == keys.length) {
            int capacity = Math.max(4, size + (size >> 3)); // late records are few: grow by an eighth
            keys = Arrays.copyOf(keys, capacity);
            positions = Arrays.copyOf(positions, capacity);
        }
        System.arraycopy(keys, insert, keys, insert + 1, size - insert);
        System.arraycopy(positions, insert, positions, insert + 1, size - insert);
        keys[insert] = key;
        positions[insert] = position;
        size++;
    }

    /** Removes {@code key}; true when it was held. */
    synchronized boolean remove(long key) {
        int at = Arrays.binarySearch(keys, 0, size, key);
        if (at < 0) {
            return false;
        }
        System.arraycopy(keys, at + 1, keys, at, size - at - 1);
        System.arraycopy(positions, at + 1, positions, at, size - at - 1);
        size--;
        return true;
    }

    synchronized boolean contains(long key) {
        return Arrays.binarySearch(keys, 0, size, key) >= 0;
    }

    synchronized int size() {
        return size;
    }

    /** A copy of the positions held, in no particular order. */
    synchronized long[] positions() {
        return Arrays.copyOf(positions, size);
    }
}
