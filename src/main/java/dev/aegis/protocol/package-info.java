/**
 * The JSON-RPC 2.0 / MCP message layer: typed envelopes ({@link dev.aegis.protocol.Message}), request ids, method
 * names, protocol versions and the {@link dev.aegis.protocol.Codec} that turns bytes into messages and back.
 *
 * <p>Payloads ({@code params}, {@code result}) stay Jackson trees, so fields this code does not know survive
 * forwarding. No I/O lives here; this package imports nothing else from Aegis.
 */
package dev.aegis.protocol;
