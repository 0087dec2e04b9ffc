package dev.bridge.app;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT start a graceful stop instead of ending the JVM at once, so the process
 * drains, saves its checkpoint and exits with 0.
 */
final class Signals {

    private Signals() {
    }

    static void onTermination(Runnable action) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> action.run());
            } catch (IllegalArgumentException e) {
                Runtime.getRuntime().addShutdownHook(new Thread(action, "bridge-stop"));
            }
        }
    }
}
