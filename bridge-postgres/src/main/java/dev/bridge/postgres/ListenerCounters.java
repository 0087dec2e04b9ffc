package dev.bridge.postgres;

/** What a listener counts, for {@link ListenerStats}; written by the listener's thread alone, read from any. */
final class ListenerCounters {
    volatile long notifications;
    volatile long changes;
    volatile long malformed;
    volatile long replayedMessages;
    volatile long rejectedLogRows;
}
