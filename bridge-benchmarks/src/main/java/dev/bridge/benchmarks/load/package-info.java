/**
 * The end-to-end load test of issue 9 and the outage run of issue 17:
 * {@link dev.bridge.benchmarks.load.LoadTest} and {@link dev.bridge.benchmarks.load.OutageRun} are
 * the entry points; everything else is package-private. Writers append through the event store, a
 * Redis subscriber (and, for the outage run, a webhook receiver) checks each change off, and Bridge
 * is measured beside the no-trigger ceiling and the naive NOTIFY relay in the same run.
 */
package dev.bridge.benchmarks.load;
