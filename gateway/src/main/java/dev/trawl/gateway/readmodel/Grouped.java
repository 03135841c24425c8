package dev.trawl.gateway.readmodel;

import java.util.Map;

/** Maps of maps grouped by parent id, as the views hold children and documents. */
final class Grouped {

    private Grouped() {
    }

    /** Removes {@code key} from {@code parentId}'s group, and the group once it is empty. */
    static <V> void remove(Map<String, Map<String, V>> grouped, String parentId, String key) {
        grouped.computeIfPresent(parentId, (id, group) -> {
            group.remove(key);
            return group.isEmpty() ? null : group;
        });
    }
}
