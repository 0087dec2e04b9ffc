package dev.bridge.app.config;

/** What the demo writes ({@code bridge.demo}). */
public record DemoSettings(int changes, int largeChangeBytes) {
    public DemoSettings {
        if (changes < 1) {
            throw new IllegalArgumentException("changes must be at least 1, got " + changes);
        }
        if (largeChangeBytes < 1) {
            throw new IllegalArgumentException("largeChangeBytes must be at least 1, got " + largeChangeBytes);
        }
    }
}
