package dev.trawl.testkit;

import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;

/**
 * Runs another class's {@code main} in a child JVM and ends that JVM at once when its parent (the test JVM)
 * is gone, however the parent ended (even SIGKILL): a service started by a test never outlives it and never
 * keeps knocking at a broker that went down with the test. Usage: {@code ParentGuard <main class> <args...>}.
 */
public final class ParentGuard {

    private ParentGuard() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: ParentGuard <main class> <args...>");
        }
        // halt, not exit: shutdown hooks would wait on the parent's broker, which is gone
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime()
                .halt(3)));
        try {
            Class.forName(args[0]).getMethod("main", String[].class)
                    .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
