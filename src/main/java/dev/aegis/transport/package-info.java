/**
 * Bytes in, messages out: {@link dev.aegis.transport.MessageChannel} over stdio streams and child processes
 * ({@code stdio/}) and over Streamable HTTP ({@code http/}). Every read is bounded by the codec's size limit.
 *
 * <p>Imports only {@code dev.aegis.protocol}.
 */
package dev.aegis.transport;
