package dev.aegis.chain;

import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.Notification;
import dev.aegis.protocol.Request;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An ordered list of interceptors whose last one is terminal (it delivers the message and never proceeds), plus the
 * listener that observes each exchange.
 *
 * <pre>{@code
 * Pipeline pipeline = new Pipeline(List.of(guard, router), listener);
 * Reply reply = pipeline.send(exchange);
 * }</pre>
 */
public final class Pipeline {
  private final List<Interceptor> interceptors;
  private final ExchangeListener listener;
  private final AtomicLong listenerFailures = new AtomicLong();

  public Pipeline(List<Interceptor> interceptors, ExchangeListener listener) {
    if (interceptors.isEmpty()) {
      throw new IllegalArgumentException("a pipeline needs at least its terminal interceptor");
    }
    this.interceptors = List.copyOf(interceptors);
    this.listener = listener == null ? ExchangeListener.NONE : listener;
  }

  /** Same interceptors with a different terminal link in last place. */
  public Pipeline withTerminal(Interceptor terminal) {
    List<Interceptor> copy = new java.util.ArrayList<>(interceptors.subList(0, interceptors.size() - 1));
    copy.add(terminal);
    return new Pipeline(copy, listener);
  }

  /** Sends the exchange's original message through the chain; the listener hears of it when the reply is final. */
  public Reply send(Exchange exchange) {
    Message m = exchange.original();
    if (!(m instanceof Request) && !(m instanceof Notification)) {
      throw new IllegalArgumentException("only requests and notifications travel the chain, not " + m);
    }
    Reply reply = new RealChain(interceptors, 0, exchange, m).proceed(m);
    if (reply instanceof Reply.Empty) {
      notifyListener(exchange, null);
    } else {
      reply.whenReady(r -> notifyListener(exchange, r));
    }
    return reply;
  }

  /** How many times the listener threw (it must not). */
  public long listenerFailures() {
    return listenerFailures.get();
  }

  private void notifyListener(Exchange exchange, dev.aegis.protocol.Response reply) {
    try {
      listener.onExchange(exchange, reply, System.nanoTime());
    } catch (RuntimeException e) {
      listenerFailures.incrementAndGet();
    }
  }

  /** One position in the chain. */
  private static final class RealChain implements Chain {
    private final List<Interceptor> interceptors;
    private final int index;
    private final Exchange exchange;
    private final Message message;
    private boolean proceeded;

    RealChain(List<Interceptor> interceptors, int index, Exchange exchange, Message message) {
      this.interceptors = interceptors;
      this.index = index;
      this.exchange = exchange;
      this.message = message;
    }

    @Override
    public Exchange exchange() {
      return exchange;
    }

    @Override
    public Message message() {
      return message;
    }

    @Override
    public Reply proceed(Message next) {
      if (index >= interceptors.size()) {
        throw new IllegalStateException("the terminal interceptor " + interceptors.get(index - 1).name()
            + " must not call proceed()");
      }
      if (proceeded) {
        throw new IllegalStateException("interceptor " + (index == 0 ? "<pipeline>" : interceptors.get(index - 1).name())
            + " called proceed() more than once");
      }
      proceeded = true;
      if (next == null) {
        throw new IllegalStateException("interceptor " + (index == 0 ? "<pipeline>" : interceptors.get(index - 1).name())
            + " proceeded with a null message");
      }
      Interceptor interceptor = interceptors.get(index);
      RealChain chain = new RealChain(interceptors, index + 1, exchange, next);
      Reply reply;
      try {
        reply = interceptor.intercept(chain);
      } catch (Exception e) {
        return failClosed(interceptor, next, e);
      }
      if (reply == null) {
        return failClosed(interceptor, next, new IllegalStateException("returned a null reply"));
      }
      if (next instanceof Request && reply instanceof Reply.Empty) {
        return failClosed(interceptor, next, new IllegalStateException("returned no reply to a request"));
      }
      return reply;
    }

    private Reply failClosed(Interceptor interceptor, Message next, Exception e) {
      String why = interceptor.name() + " failed: " + e.getMessage();
      exchange.record(new Decision(interceptor.name(), "fail-closed", why));
      return Reply.error(next, JsonRpcError.BLOCKED, "Blocked by Aegis: " + why);
    }
  }
}
