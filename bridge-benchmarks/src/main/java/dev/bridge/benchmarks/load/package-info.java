/**
 * The end-to-end load test of issue 9: {@link dev.bridge.benchmarks.load.LoadTest} is the entry
 * point; everything else is package-private. Writers append through the event store, a Redis
 * subscriber checks each change off, and Bridge is measured beside the no-trigger ceiling and the
 * naive NOTIFY relay in the same run.
 */
package dev.bridge.benchmarks.load;
