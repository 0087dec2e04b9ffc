package dev.bridge.app;

/** The runnable jar's entry point; see {@link Cli}. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(Cli.execute(args, System.getenv(), System.out, System.err));
    }
}
