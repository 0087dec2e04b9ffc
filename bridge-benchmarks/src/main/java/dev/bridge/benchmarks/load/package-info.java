/**
 * The end-to-end load test of issue 9, the outage run of issue 17 and the failover and scale-out
 * run of issue 18: {@link dev.bridge.benchmarks.load.LoadTest},
 * {@link dev.bridge.benchmarks.load.OutageRun} and {@link dev.bridge.benchmarks.load.FailoverRun}
 * are the entry points; everything else is package-private. Writers append through the event store, a
 * Redis subscriber (and, for the outage run, a webhook receiver) checks each change off, and Bridge
 * is measured beside the no-trigger ceiling and the naive NOTIFY relay in the same run; the
 * failover run starts the runnable jar as child processes and talks to them only through their
 * configuration, environment, HTTP endpoints and the database.
 */
package dev.bridge.benchmarks.load;
