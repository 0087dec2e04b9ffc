/**
 * The sink contract kit: extend {@link dev.bridge.sink.tck.ChangeSinkContract} in your sink's tests
 * and it checks, against your real destination, what the engine relies on.
 *
 * <p>Add {@code dev.bridge:bridge-sink-tck} as a test dependency; it brings JUnit 5 and AssertJ.
 */
package dev.bridge.sink.tck;
