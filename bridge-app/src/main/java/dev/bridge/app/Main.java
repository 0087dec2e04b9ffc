package dev.bridge.app;

/** The runnable jar's entry point; see {@link Cli}. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        // The JDK's HTTP server otherwise waits for ever on a client that stops mid-request.
        setIfAbsent("sun.net.httpserver.maxReqTime", "10");
        setIfAbsent("sun.net.httpserver.maxRspTime", "10");
        System.exit(Cli.execute(args, System.getenv(), System.out, System.err));
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }
}
