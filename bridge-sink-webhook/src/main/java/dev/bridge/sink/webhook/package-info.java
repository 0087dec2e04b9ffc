/**
 * Webhook sink: signed HTTP delivery (Standard Webhooks) through the JDK HttpClient.
 * Implements {@link dev.bridge.core.port.ChangeSink}.
 */
package dev.bridge.sink.webhook;
