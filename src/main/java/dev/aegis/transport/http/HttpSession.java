package dev.aegis.transport.http;

import dev.aegis.protocol.Message;
import dev.aegis.protocol.RequestId;
import dev.aegis.protocol.Response;
import dev.aegis.transport.ClientPort;
import dev.aegis.transport.ServerSession;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One {@code Mcp-Session-Id} session as the HTTP endpoint holds it: the gateway's {@link ServerSession}, the POSTs
 * still waiting for responses (by request id), the standalone stream, and the request streams kept for resumption.
 * As the session's {@link ClientPort} it routes each message the gateway sends: to the POST of the request it
 * relates to, else to the standalone stream.
 */
final class HttpSession implements ClientPort {
  /** Who opened the session (null without authentication): only that caller may use it. */
  private volatile dev.aegis.transport.Caller caller;

  void caller(dev.aegis.transport.Caller c) {
    this.caller = c;
  }

  /** Whether a request from {@code c} may use this session. */
  boolean belongsTo(dev.aegis.transport.Caller c) {
    dev.aegis.transport.Caller mine = caller;
    return mine == null ? c == null : c != null && mine.name().equals(c.name()) && mine.method().equals(c.method());
  }

  /** Request streams kept for a {@code Last-Event-ID} resumption (the oldest without a connection go first). */
  static final int MAX_KEPT_STREAMS = 16;
  static final String STANDALONE = "0";

  final Map<RequestId, PostExchange> pending = new ConcurrentHashMap<>();
  private final StreamableHttpServer server;
  private final EventStream standalone;
  private final Map<String, EventStream> streams = new LinkedHashMap<>();
  private final AtomicLong nextStream = new AtomicLong(1);
  private volatile ServerSession session;
  private volatile long lastActive = System.nanoTime();
  private volatile boolean closed;

  HttpSession(StreamableHttpServer server) {
    this.server = server;
    this.standalone = new EventStream(STANDALONE, true, server.limits().standaloneEvents(),
        server.limits().streamBytes(), s -> { }, server.log());
  }

  void attach(ServerSession s) {
    this.session = s;
  }

  ServerSession session() {
    return session;
  }

  String id() {
    ServerSession s = session;
    return s == null ? "(opening)" : s.id();
  }

  EventStream standalone() {
    return standalone;
  }

  void touch() {
    lastActive = System.nanoTime();
  }

  long lastActive() {
    return lastActive;
  }

  boolean isClosed() {
    return closed;
  }

  @Override
  public void send(Message message, RequestId related) {
    if (closed) {
      return;
    }
    PostExchange ex = related == null ? null : pending.get(related);
    if (ex == null && message instanceof Response r && r.id() != null) {
      ex = pending.get(r.id());
    }
    if (ex != null && ex.offer(message)) {
      return;
    }
    if (message instanceof Response r) {
      server.log().accept("session " + id() + ": dropped the response to " + r.id()
          + ": its request is no longer open (answered, cancelled or abandoned)");
      return;
    }
    standalone.append(server.codec().encode(message));
  }

  /** A new resumable stream for a POST that switches to SSE. */
  EventStream newRequestStream() {
    String sid = Long.toString(nextStream.getAndIncrement());
    // kept after it ends too: a write that looked successful may never have reached a client that just left
    EventStream s = new EventStream(sid, true, server.limits().streamEvents(), server.limits().streamBytes(),
        ended -> { }, server.log());
    synchronized (streams) {
      streams.put(sid, s);
      if (streams.size() > MAX_KEPT_STREAMS) {
        Iterator<EventStream> it = streams.values().iterator();
        while (streams.size() > MAX_KEPT_STREAMS && it.hasNext()) {
          EventStream old = it.next();
          if (old != s && !old.hasConnection()) {
            it.remove();
          }
        }
      }
    }
    return s;
  }

  /** The stream with this id ({@link #STANDALONE} included), or null when unknown or forgotten. */
  EventStream stream(String sid) {
    if (STANDALONE.equals(sid)) {
      return standalone;
    }
    synchronized (streams) {
      return streams.get(sid);
    }
  }

  /** Open connections, for keep-alives. */
  List<EventStream> streams() {
    synchronized (streams) {
      List<EventStream> all = new ArrayList<>(streams.values());
      all.add(standalone);
      return all;
    }
  }

  boolean isIdle() {
    return pending.isEmpty() && !standalone.hasConnection();
  }

  /** Ends every stream, answers what is still pending, and closes the gateway's session. Idempotent. */
  void close(String why) {
    if (closed) {
      return;
    }
    closed = true;
    for (PostExchange ex : List.copyOf(pending.values())) {
      ex.abandon(why);
    }
    pending.clear();
    standalone.disconnect();
    for (EventStream s : streams()) {
      s.disconnect();
    }
    synchronized (streams) {
      streams.clear();
    }
    ServerSession s = session;
    if (s != null) {
      try {
        s.close();
      } catch (RuntimeException e) {
        server.log().accept("session " + s.id() + ": close failed: " + e);
      }
    }
  }
}
