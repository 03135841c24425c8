package dev.trawl.api.id;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Ids of Trawl. Parent ids are random and sort by creation time; child and document ids are derived from the
 * parent id and the URL's {@linkplain UrlNormalizer#dedupeKey dedupe key}, so a replayed or redelivered event
 * names the same child and the same document (idempotence by construction).
 */
public final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] BASE32 = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();

    private Ids() {
    }

    /** A new parent id: 10 characters of millisecond time, then 16 random ones (Crockford base32, lower case). */
    public static String newParentId() {
        return newParentId(System.currentTimeMillis());
    }

    /** A new parent id for a job created at {@code epochMillis}. */
    public static String newParentId(long epochMillis) {
        char[] out = new char[26];
        long time = epochMillis;
        for (int i = 9; i >= 0; i--) {
            out[i] = BASE32[(int) (time & 31)];
            time >>>= 5;
        }
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 5; i++) {
            hi = (hi << 8) | (random[i] & 0xff);
            lo = (lo << 8) | (random[i + 5] & 0xff);
        }
        for (int i = 17; i >= 10; i--) {
            out[i] = BASE32[(int) (hi & 31)];
            hi >>>= 5;
        }
        for (int i = 25; i >= 18; i--) {
            out[i] = BASE32[(int) (lo & 31)];
            lo >>>= 5;
        }
        return new String(out);
    }

    /** A new random event id. */
    public static String newEventId() {
        return UUID.randomUUID().toString();
    }

    /**
     * A deterministic event id: the same inputs always give the same id, so an event that is produced again
     * after a crash is recognisably the same event.
     */
    public static String eventId(String... parts) {
        return digest(String.join("\n", parts)).substring(0, 32);
    }

    /**
     * The child id of {@code url} within {@code parentId}: 32 hex characters of SHA-256 over the parent id and
     * the URL's dedupe key.
     *
     * @throws IllegalArgumentException when {@code url} is not a valid http(s) URL
     */
    public static String childId(String parentId, String url) {
        String key = UrlNormalizer.dedupeKey(url)
                .orElseThrow(() -> new IllegalArgumentException("not a valid http(s) URL: " + url));
        return digest(parentId + "\n" + key).substring(0, 32);
    }

    /**
     * {@link #childId} of a URL that is already {@linkplain UrlNormalizer#normalize normalised}: skips parsing it
     * again (the aggregator's hot path).
     */
    public static String childIdOfNormalized(String parentId, String normalizedUrl) {
        return digest(parentId + "\n" + UrlNormalizer.dedupeKeyOfNormalized(normalizedUrl)).substring(0, 32);
    }

    /** The child id of a generic job's child, from the key its reporter gave it (unique within the job). */
    public static String childIdOfKey(String parentId, String key) {
        return digest(parentId + "\nkey:" + key).substring(0, 32);
    }

    /** The document saved for a child has the child's id: a child has at most one document. */
    public static String documentId(String parentId, String url) {
        return childId(parentId, url);
    }

    /**
     * Key of a crawl task on {@code trawl.crawl-tasks}: the host, plus a shard number when the host's work is
     * spread over {@code shards} keys, so one big crawl uses every worker while a shard stays on one worker.
     */
    public static String hostShardKey(String host, String childId, int shards) {
        if (shards <= 1) {
            return host;
        }
        int shard = Math.floorMod(childId.hashCode(), shards);
        return host + "#" + shard;
    }

    private static String digest(String s) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
