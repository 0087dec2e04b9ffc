package dev.bridge.app;

/** The runnable jar's entry point; see {@link Cli}. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        // Bridge uses no method interception; without generated classes Guice needs no sun.misc.Unsafe (which JDK 24+ warns of).
        setIfAbsent("guice_bytecode_gen_option", "DISABLED");
        if (Runtime.version().feature() >= 24) {
            // Netty (under Lettuce) would use sun.misc.Unsafe too and the JVM would warn on stderr; -Dio.netty.noUnsafe=false undoes it.
            setIfAbsent("io.netty.noUnsafe", "true");
        }
        // With fewer than 3 CPUs the common pool has one thread, and CompletableFuture then starts a thread for every async
        // task: the JDK's HttpClient completes each sendAsync that way, so each webhook response would cost a thread start.
        setIfAbsent("java.util.concurrent.ForkJoinPool.common.parallelism",
                Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
        System.exit(Cli.execute(args, System.getenv(), System.out, System.err));
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }
}
