package dev.aegis.chain;

/**
 * One link of the chain. Call {@code chain.proceed(message)} to pass the message on (possibly rewritten) and return
 * its reply (possibly mapped); return a reply without proceeding to block.
 *
 * <pre>{@code
 * Interceptor denyDelete = chain -> {
 *   if (chain.exchange().target() != null && chain.exchange().target().name().startsWith("delete")) {
 *     return Reply.error(chain.message(), JsonRpcError.BLOCKED, "deletes are not allowed");
 *   }
 *   return chain.proceed(chain.message());
 * };
 * }</pre>
 *
 * <p>Implementations must be thread-safe: one instance serves every session. Throwing fails closed.
 */
@FunctionalInterface
public interface Interceptor {

  Reply intercept(Chain chain) throws Exception;

  /** A short name used in audit records and error messages. */
  default String name() {
    String simple = getClass().getSimpleName();
    return simple.isEmpty() ? getClass().getName() : simple;
  }
}
