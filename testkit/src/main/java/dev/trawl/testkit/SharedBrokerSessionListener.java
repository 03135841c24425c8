package dev.trawl.testkit;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Stops the shared broker, and what runs on it, when the JUnit run ends, while the JVM is still whole. Left to
 * shutdown hooks, Kafka clients would race the broker's own shutdown and wait out their timeouts.
 */
public final class SharedBrokerSessionListener implements LauncherSessionListener {

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        EmbeddedBroker.closeShared();
    }
}
