package dev.trawl.api.serde;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;

/**
 * JSON serde for one event type. Polymorphic types carry explicit type ids ({@code @JsonSubTypes}); nothing is
 * resolved from class names in the payload. Every failure is a {@link SerializationException} naming the type.
 */
public final class JsonSerde<T> implements Serde<T>, Serializer<T>, Deserializer<T> {

    private final Class<T> type;
    /** Bound once to the type: no serializer or deserializer lookup per record. */
    private final ObjectWriter writer;
    private final ObjectReader reader;
    /** Hand-written for the hottest types ({@link FastJsonCodecs}), null for the rest. */
    private final FastJsonCodec<T> fast;

    public JsonSerde(Class<T> type) {
        this(type, FastJsonCodecs.forType(type));
    }

    /** With {@code fast} in front of Jackson: what it hands back (null) Jackson reads or writes. */
    public JsonSerde(Class<T> type, FastJsonCodec<T> fast) {
        this.type = type;
        this.writer = Json.MAPPER.writerFor(type);
        this.reader = Json.MAPPER.readerFor(type);
        this.fast = fast;
    }

    public Class<T> type() {
        return type;
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        if (fast != null) {
            byte[] json = fast.write(data);
            if (json != null) {
                return json;
            }
        }
        try {
            return writer.writeValueAsBytes(data);
        } catch (JacksonException e) {
            throw new SerializationException("cannot write " + type.getSimpleName() + " for topic " + topic, e);
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (fast != null) {
            T value = fast.read(data);
            if (value != null) {
                return value;
            }
        }
        try {
            return reader.readValue(data);
        } catch (JacksonException e) {
            throw new SerializationException("cannot read " + type.getSimpleName() + " from topic " + topic
                    + ": " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public void configure(java.util.Map<String, ?> configs, boolean isKey) {
        // nothing to configure: the mapping is fixed
    }

    @Override
    public void close() {
        // stateless
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }
}
