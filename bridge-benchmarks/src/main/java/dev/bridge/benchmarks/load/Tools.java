package dev.bridge.benchmarks.load;

import java.lang.management.ManagementFactory;
import java.util.function.Function;

/** What the load tools' {@code main} methods share: quiet logs, their options, and a line on the JVM. */
final class Tools {

    private Tools() {
    }

    /**
     * Logs at WARN and above unless {@code org.slf4j.simpleLogger.defaultLogLevel} is set; then
     * reads the options, or exits with 2 after printing what is wrong with them.
     */
    static <T> T options(String tool, String[] args, Function<String[], T> parse) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
                System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        try {
            return parse.apply(args);
        } catch (IllegalArgumentException e) {
            System.err.println(tool + ": " + e.getMessage());
            System.exit(2);
            throw e;
        }
    }

    /** The JVM's name, version, heap limit, CPUs and arguments. */
    static String jvm() {
        return "JVM: " + System.getProperty("java.vm.name") + " " + Runtime.version() + ", max heap "
                + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB, " + Runtime.getRuntime().availableProcessors()
                + " CPUs, " + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments());
    }
}
