package dev.trawl.worker.delivery;

import java.util.concurrent.ExecutionException;

/** {@link KafkaTestSupport} helpers for tests in other packages. */
public final class KafkaTestSupportAccess {

    private KafkaTestSupportAccess() {
    }

    public static void startGroupAtEnd(String bootstrap, String groupId) throws ExecutionException,
            InterruptedException {
        KafkaTestSupport.startGroupAtEnd(bootstrap, groupId);
    }
}
