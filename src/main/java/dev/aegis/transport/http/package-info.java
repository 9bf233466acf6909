/**
 * MCP over HTTP: {@link dev.aegis.transport.http.StreamableHttpServer}, the downstream Streamable HTTP endpoint
 * (sessions, per-request SSE upgrade, the standalone GET stream, resumption, stateless 2026-07-28 requests), and
 * {@link dev.aegis.transport.http.StreamableHttpClientChannel} / {@link dev.aegis.transport.http.LegacySseClientChannel},
 * the upstream side as a {@link dev.aegis.transport.MessageChannel}.
 *
 * <p>Every body and every SSE event is bounded by the codec's size limit. Imports only {@code dev.aegis.protocol},
 * {@code dev.aegis.transport}, Jetty (server side) and {@code java.net.http} (client side).
 */
package dev.aegis.transport.http;
