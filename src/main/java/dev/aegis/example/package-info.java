/**
 * A small MCP server bundled in the jar ({@code aegis example-server}): the server the README's first command puts
 * behind the gateway, and, with {@code --test-tools}, a scriptable fixture for robustness tests (a tool that
 * crashes the process, one that hangs, one that floods, one that asks the client for sampling).
 *
 * <p>Imports protocol and transport only.
 */
package dev.aegis.example;
