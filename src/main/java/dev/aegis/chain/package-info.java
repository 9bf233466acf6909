/**
 * The one extension point of Aegis: an {@link dev.aegis.chain.Interceptor} chain every request and notification
 * passes, in both directions, plus the {@link dev.aegis.chain.ExchangeListener} that observes each finished
 * exchange.
 *
 * <p>Shaped like OkHttp's interceptors: {@code Reply intercept(Chain chain)}; {@code chain.proceed(message)}
 * forwards, not calling it blocks. The chain checks its contract (proceed at most once, a non-null reply) and names
 * the interceptor that broke it. A guard that throws fails closed: the message is blocked with a JSON-RPC error.
 *
 * <p>Imports only {@code dev.aegis.protocol}.
 */
package dev.aegis.chain;
