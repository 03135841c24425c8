package dev.trawl.gateway.readmodel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.api.event.ChildProgress;
import dev.trawl.api.event.ChildStatus;
import dev.trawl.api.event.DocumentSaved;
import dev.trawl.api.event.JobStatus;
import dev.trawl.api.event.ParentProgress;
import dev.trawl.api.id.Ids;
import dev.trawl.api.progress.ProgressText;
import dev.trawl.gateway.GatewayProperties;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * The read model's rules across its parts, without Kafka: records applied as the consumer applies them, time passed
 * to the eviction explicitly.
 */
class ReadModelTest {

    private static final Instant AT = Instant.parse("2026-11-22T10:00:00Z");

    private final ReadModel readModel = new ReadModel(new Binder(new MapConfigurationPropertySource(
            Map.of("trawl.gateway.read-model.finished-children-in-heap", "10m")))
            .bindOrCreate("trawl.gateway", GatewayProperties.class));
    private final String parentId = Ids.newParentId();
    private final List<String> heard = new ArrayList<>();

    ReadModelTest() {
        readModel.addListener(new ReadModel.ParentListener() {
            @Override
            public void onParentProgress(ParentProgress snapshot) {
                heard.add("v" + snapshot.version());
            }

            @Override
            public void onParentRemoved(String id) {
                heard.add("removed");
            }
        });
    }

    @Test
    void anOlderOrRepeatedSnapshotIsNotAcceptedNorHeard() {
        readModel.applyParent(parentId, snapshot(JobStatus.RUNNING, 2));
        readModel.applyParent(parentId, snapshot(JobStatus.RUNNING, 1));
        readModel.applyParent(parentId, snapshot(JobStatus.RUNNING, 2));
        readModel.applyParent(parentId, snapshot(JobStatus.RUNNING, 3));

        assertThat(heard).containsExactly("v2", "v3");
        assertThat(readModel.parent(parentId)).hasValueSatisfying(p -> assertThat(p.version()).isEqualTo(3));
        assertThat(readModel.firstSnapshot(parentId)).isCompletedWithValueMatching(p -> p.version() == 3);
    }

    @Test
    void aParentTombstoneRemovesItsChildrenDocumentsAndLogAndIsHeardOnce() {
        readModel.applyParent(parentId, snapshot(JobStatus.RUNNING, 1));
        String childId = Ids.childId(parentId, "https://example.org/a");
        readModel.applyChild(childId, child(childId, ChildStatus.COMPLETED), 0, 7);
        readModel.applyDocument("doc-1", document("doc-1", childId), 1, 9);

        readModel.applyParent(parentId, null);
        readModel.applyParent(parentId, null); // nothing known any more: no one is told

        assertThat(heard).containsExactly("v1", "removed");
        assertThat(readModel.knows(parentId)).isFalse();
        assertThat(readModel.heldChildren(parentId)).isEmpty();
        assertThat(readModel.documents(parentId)).isEmpty();
        assertThat(readModel.document("doc-1")).isEmpty();
        assertThat(readModel.log(parentId, 10)).isEmpty();
    }

    @Test
    void aFinishedJobsChildrenAreEvictedToTheIndexOnceTheirTimeInHeapIsOver() {
        String childId = Ids.childId(parentId, "https://example.org/a");
        readModel.applyChild(childId, child(childId, ChildStatus.COMPLETED), 2, 41);
        readModel.applyParent(parentId, snapshot(JobStatus.COMPLETED, 2));

        readModel.evictFinishedChildren(AT.plusSeconds(599));
        assertThat(readModel.childrenEvicted(parentId)).isFalse();
        assertThat(readModel.heldChildren(parentId)).hasSize(1);

        readModel.evictFinishedChildren(AT.plusSeconds(600));
        assertThat(readModel.childrenEvicted(parentId)).isTrue();
        assertThat(readModel.heldChildren(parentId)).isEmpty();
        assertThat(readModel.evictedChildPositions(parentId)).containsExactly(ChildIndex.position(2, 41));
        assertThat(readModel.knows(parentId)).isTrue();

        readModel.applyChild(childId, null, 2, 42); // a tombstone names no parent: found in the index
        assertThat(readModel.evictedChildPositions(parentId)).isEmpty();
    }

    @Test
    void aJobRunningAgainBeforeItsEvictionKeepsItsChildren() {
        String childId = Ids.childId(parentId, "https://example.org/a");
        readModel.applyChild(childId, child(childId, ChildStatus.COMPLETED), 0, 1);
        readModel.applyParent(parentId, snapshot(JobStatus.COMPLETED, 2));
        readModel.applyParent(parentId, snapshot(JobStatus.RUNNING, 3));

        readModel.evictFinishedChildren(AT.plusSeconds(3600));

        assertThat(readModel.childrenEvicted(parentId)).isFalse();
        assertThat(readModel.heldChildren(parentId)).extracting(ChildProgress::childId).containsExactly(childId);
    }

    private ParentProgress snapshot(JobStatus status, long version) {
        return new ParentProgress(parentId, "read model", status, 1, 0, 0, 0, 0, 1, 0, 0, 0.0, null,
                ProgressText.format(1, 0, 0, 0), AT, AT, AT, status.isTerminal() ? AT : null, null, version);
    }

    private ChildProgress child(String childId, ChildStatus status) {
        return new ChildProgress(childId, parentId, "https://example.org/a", 0, status, 1, null, null, 200, null, AT);
    }

    private DocumentSaved document(String documentId, String childId) {
        return new DocumentSaved(documentId, parentId, childId, "https://example.org/a", "https://example.org/a",
                null, "A", "en", "# A", "hash", 200, 3, false, AT);
    }
}
