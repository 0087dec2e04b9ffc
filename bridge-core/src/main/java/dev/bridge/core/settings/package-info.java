/**
 * Configuration as every module reads it: {@link dev.bridge.core.settings.Settings}, one block of
 * typed values (a sink's, or a module's own such as {@code bridge.postgres}), read by the options
 * record that owns the keys ({@code PostgresOptions.from}, {@code DeliveryPolicy.from}, a sink
 * provider); {@link dev.bridge.core.settings.SettingsProblems} collects every problem of a block so
 * that all are reported at once; {@link dev.bridge.core.settings.MapSettings} is a block from a map.
 *
 * <p>Nullness: parameters and return values are non-null unless documented otherwise.
 */
package dev.bridge.core.settings;
