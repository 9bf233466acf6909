package dev.aegis.gateway;

import dev.aegis.chain.Direction;
import dev.aegis.chain.Exchange;
import dev.aegis.chain.ExchangeListener;
import dev.aegis.chain.Interceptor;
import dev.aegis.chain.Pipeline;
import dev.aegis.chain.Reply;
import dev.aegis.chain.SessionInfo;
import dev.aegis.chain.Target;
import dev.aegis.protocol.Codec;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.ProtocolException;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.RequestId;
import dev.aegis.protocol.Response;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Runs the per-message hot path (decode, chain, id remap, encode) on representative messages in a background
 * thread at start-up, while the upstream servers start anyway, so the JIT has compiled it before the host's first
 * calls instead of during them. Touches no session and sends nothing.
 */
public final class Warmup {
  private static final int ROUNDS = 20_000;
  private static final byte[] CALL = ("{\"jsonrpc\":\"2.0\",\"id\":17,\"method\":\"tools/call\",\"params\":{\"name\":"
      + "\"server__echo\",\"arguments\":{\"message\":\"warm up the hot path\"},\"_meta\":{\"progressToken\":3}}}")
      .getBytes(StandardCharsets.UTF_8);
  private static final byte[] RESULT = ("{\"jsonrpc\":\"2.0\",\"id\":17,\"result\":{\"content\":[{\"type\":\"text\","
      + "\"text\":\"Echo: warm up the hot path\"}]}}").getBytes(StandardCharsets.UTF_8);

  private Warmup() {}

  /** Starts the warm-up on a daemon thread of minimum priority and returns at once. */
  public static void inBackground(Codec codec) {
    inBackground(codec, List.of());
  }

  /**
   * The same, with the gateway's own guards in the chain, so their per-call checks are compiled too. The calls act
   * for a principal of their own ("aegis-warmup") on a server no configuration names, so they touch nobody's rate
   * limits, lockfile entries or session labels.
   */
  public static void inBackground(Codec codec, List<Interceptor> guards) {
    Thread t = new Thread(() -> run(codec, guards), "aegis-warmup");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
  }

  static long run(Codec codec) {
    return run(codec, List.of());
  }

  static long run(Codec codec, List<Interceptor> guards) {
    SessionInfo info = new SessionInfo("warmup", "stdio", "aegis-warmup");
    List<Interceptor> chain = new java.util.ArrayList<>(guards);
    chain.add(c -> c.proceed(c.message()));
    chain.add(c -> Reply.of(Response.result(((Request) c.message()).id(),
        decodeQuietly(codec, RESULT) instanceof Response r ? r.result() : null)));
    Pipeline pipeline = new Pipeline(chain, ExchangeListener.NONE);
    long sink = 0;
    for (int i = 0; i < ROUNDS; i++) {
      Message m = decodeQuietly(codec, CALL);
      if (!(m instanceof Request r)) {
        continue;
      }
      Request remapped = r.withId(RequestId.of(i));
      Reply reply;
      try {
        reply = pipeline.send(new Exchange(info, Direction.TO_SERVER, remapped,
            new Target("aegis-warmup", "echo"), System.nanoTime()));
      } catch (RuntimeException e) {
        return sink; // a guard that cannot be warmed up this way is warmed up by real calls
      }
      if (reply instanceof Reply.Ready ready) {
        sink += codec.encode(ready.response().withId(r.id())).length + codec.encode(remapped).length;
      }
    }
    return sink;
  }

  private static Message decodeQuietly(Codec codec, byte[] bytes) {
    try {
      return codec.decodeOne(bytes);
    } catch (ProtocolException e) {
      throw new IllegalStateException("warm-up message is invalid", e);
    }
  }
}
