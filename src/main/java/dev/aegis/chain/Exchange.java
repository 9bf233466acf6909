package dev.aegis.chain;

import dev.aegis.protocol.Message;
import dev.aegis.protocol.Request;
import java.util.ArrayList;
import java.util.List;

/**
 * One message's trip through the chain: the session, the direction, the message as it arrived, and where it is
 * going. Guards add {@link Decision}s; the {@link ExchangeListener} gets the finished exchange.
 *
 * <pre>{@code new Exchange(session, Direction.TO_SERVER, request, new Target("fs", "read_file"), System.nanoTime()) }</pre>
 */
public final class Exchange {
  private final SessionInfo session;
  private final Direction direction;
  private final Message original;
  private final Target target;
  private final long startNanos;
  private final tools.jackson.databind.JsonNode upstreamInitialize;
  private final List<Decision> decisions = new ArrayList<>(2);

  public Exchange(SessionInfo session, Direction direction, Message original, Target target, long startNanos) {
    this(session, direction, original, target, startNanos, null);
  }

  /**
   * An exchange that also carries the target server's {@code initialize} result ({@code serverInfo},
   * {@code protocolVersion}, capabilities), for guards that bind what a server offers to who it says it is.
   */
  public Exchange(SessionInfo session, Direction direction, Message original, Target target, long startNanos,
      tools.jackson.databind.JsonNode upstreamInitialize) {
    if (session == null || direction == null || original == null) {
      throw new IllegalArgumentException("exchange needs session, direction and message");
    }
    this.session = session;
    this.direction = direction;
    this.original = original;
    this.target = target;
    this.startNanos = startNanos;
    this.upstreamInitialize = upstreamInitialize;
  }

  /** The target server's initialize result when the gateway knows it (its own list requests), else null. */
  public tools.jackson.databind.JsonNode upstreamInitialize() {
    return upstreamInitialize;
  }

  public SessionInfo session() {
    return session;
  }

  public Direction direction() {
    return direction;
  }

  /** The message as it entered the chain, before any interceptor rewrote it. */
  public Message original() {
    return original;
  }

  /** The method of the message. */
  public String method() {
    return original instanceof Request r ? r.method() : ((dev.aegis.protocol.Notification) original).method();
  }

  /** The upstream server and name, or null when the message is for the gateway itself or for every server. */
  public Target target() {
    return target;
  }

  public long startNanos() {
    return startNanos;
  }

  public synchronized void record(Decision decision) {
    decisions.add(decision);
  }

  public synchronized List<Decision> decisions() {
    return List.copyOf(decisions);
  }
}
