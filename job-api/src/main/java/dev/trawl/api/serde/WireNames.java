package dev.trawl.api.serde;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.HashMap;
import java.util.Map;

/** An enum's JSON names as its {@code @JsonProperty} annotations give them, for the {@link FastJsonCodec}s. */
public final class WireNames<E extends Enum<E>> {

    private final String[] byOrdinal;
    private final Map<String, E> byName = new HashMap<>();

    public WireNames(Class<E> type) {
        E[] constants = type.getEnumConstants();
        byOrdinal = new String[constants.length];
        for (E constant : constants) {
            String name = constant.name();
            try {
                JsonProperty property = type.getField(name).getAnnotation(JsonProperty.class);
                if (property != null && !property.value().isEmpty()) {
                    name = property.value();
                }
            } catch (NoSuchFieldException e) {
                throw new IllegalStateException(e);
            }
            byOrdinal[constant.ordinal()] = name;
            byName.put(name, constant);
        }
    }

    public String of(E constant) {
        return constant == null ? null : byOrdinal[constant.ordinal()];
    }

    /** The constant named {@code name}, or null if none is. */
    public E parse(String name) {
        return byName.get(name);
    }
}
