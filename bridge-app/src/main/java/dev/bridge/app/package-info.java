/**
 * The Bridge daemon: Guice wiring, HOCON configuration, CLI, operations endpoint.
 * The only module that knows all the others.
 */
package dev.bridge.app;
