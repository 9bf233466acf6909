package dev.aegis.chain;

import dev.aegis.protocol.Response;

/**
 * Observes every finished exchange: the message as it arrived, the reply the sender got (null for a notification),
 * and the guards' decisions. Separate from interceptors: it sees, it never changes. It must be fast and must not
 * throw; the pipeline swallows and counts anything it throws.
 */
@FunctionalInterface
public interface ExchangeListener {

  void onExchange(Exchange exchange, Response reply, long endNanos);

  ExchangeListener NONE = (exchange, reply, endNanos) -> {};
}
