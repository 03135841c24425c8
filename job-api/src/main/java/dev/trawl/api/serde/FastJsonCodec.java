package dev.trawl.api.serde;

/**
 * A hand-written JSON form of one hot type, for {@link JsonSerde}: what it writes is byte for byte what Jackson
 * writes, what it reads is what Jackson reads. It only takes the common shapes and hands everything else back
 * (null), so Jackson stays the one definition of the format and of its errors.
 */
public interface FastJsonCodec<T> {

    /** Jackson's JSON for {@code value}, or null to let Jackson write it. */
    byte[] write(T value);

    /**
     * What Jackson reads from {@code json}, or null to let Jackson read it (and report what is wrong with it); a codec
     * that only writes leaves every read to Jackson.
     */
    default T read(byte[] json) {
        return null;
    }
}
