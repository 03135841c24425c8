package dev.trawl.gateway.readmodel;

import dev.trawl.api.event.ChildProgress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * The children of a job, wherever the {@link ReadModel} keeps them: as objects while the job runs and shortly after,
 * afterwards as an index whose records {@link ChildRecordReader} reads back from {@code trawl.child-progress}.
 */
@Component
public class ChildStore {

    private final ReadModel readModel;
    private final ChildRecordReader reader;

    public ChildStore(ReadModel readModel, ChildRecordReader reader) {
        this.readModel = readModel;
        this.reader = reader;
    }

    /** Every child of {@code parentId}, in no particular order. */
    public List<ChildProgress> children(String parentId) {
        // held ones first: eviction publishes the index before it drops them, so one of the two has every child
        List<ChildProgress> held = readModel.heldChildren(parentId);
        long[] positions = readModel.evictedChildPositions(parentId);
        if (positions.length == 0) {
            return held;
        }
        List<ChildProgress> read = reader.read(parentId, positions);
        if (held.isEmpty()) {
            return read;
        }
        List<ChildProgress> all = new ArrayList<>(held);
        Set<String> seen = new HashSet<>();
        held.forEach(child -> seen.add(child.childId()));
        read.stream().filter(child -> !seen.contains(child.childId())).forEach(all::add);
        return all;
    }
}
