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
        System.exit(Cli.execute(args, System.getenv(), System.out, System.err));
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }
}
