package dev.aegis.transport.http;

import dev.aegis.protocol.Codec;
import dev.aegis.transport.SessionFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The downstream MCP endpoint over Streamable HTTP (revisions 2025-03-26 to 2025-11-25, and stateless 2026-07-28
 * requests), on Jetty 12 core. POST carries messages (answered as JSON, or upgraded to SSE when something precedes
 * the response), GET opens a session's standalone stream, DELETE ends a session. Sessions, streams and replay
 * buffers are bounded; foreign {@code Origin}s are refused.
 *
 * <pre>{@code
 * var server = new StreamableHttpServer(new InetSocketAddress("127.0.0.1", 0), "/mcp", codec, gateway,
 *     List.of(), log::info);
 * server.start();
 * URI endpoint = server.uri(); // http://127.0.0.1:41234/mcp
 * }</pre>
 */
public final class StreamableHttpServer implements AutoCloseable {
  public static final String DEFAULT_PATH = "/mcp";

  /**
   * Tunables, fixed by the server; tests shorten the times.
   *
   * @param keepAlive how often an idle SSE stream gets a comment, and when a slow JSON answer becomes SSE
   * @param sessionIdle a session with no request and no open stream for this long is closed
   * @param standaloneEvents messages kept for a session's standalone stream (buffered while no GET is open)
   * @param streamEvents events kept per request stream for resumption
   * @param streamBytes bytes kept per stream (the newest event is always kept)
   */
  record Limits(Duration keepAlive, Duration sessionIdle, int standaloneEvents, int streamEvents, long streamBytes) {
    static final Limits DEFAULT = new Limits(Duration.ofSeconds(15), Duration.ofMinutes(30), 256, 128, 4L << 20);
  }

  private final InetSocketAddress bind;
  private final String path;
  private final Codec codec;
  private final SessionFactory sessions;
  private final Origins origins;
  private final Consumer<String> log;
  private final Limits limits;
  private final Map<String, HttpSession> byId = new ConcurrentHashMap<>();
  private final Set<SseSink> liveSinks = ConcurrentHashMap.newKeySet();
  private final Set<PostExchange> waiting = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private Server jetty;
  private ServerConnector connector;
  private ScheduledExecutorService sweeper;

  /** An endpoint at {@link #DEFAULT_PATH}. */
  public StreamableHttpServer(InetSocketAddress bind, Codec codec, SessionFactory sessions,
      List<String> allowedOrigins, Consumer<String> log) {
    this(bind, DEFAULT_PATH, codec, sessions, allowedOrigins, log);
  }

  /**
   * @param bind address and port (0 picks a free port; see {@link #port()})
   * @param path the endpoint's path, e.g. {@code /mcp}
   * @param allowedOrigins browser origins allowed besides loopback ones; {@code "*"} allows any
   * @param log one line per noteworthy event (never per message)
   */
  public StreamableHttpServer(InetSocketAddress bind, String path, Codec codec, SessionFactory sessions,
      List<String> allowedOrigins, Consumer<String> log) {
    this(bind, path, codec, sessions, allowedOrigins, log, Limits.DEFAULT);
  }

  StreamableHttpServer(InetSocketAddress bind, String path, Codec codec, SessionFactory sessions,
      List<String> allowedOrigins, Consumer<String> log, Limits limits) {
    if (bind == null || codec == null || sessions == null || allowedOrigins == null || log == null) {
      throw new IllegalArgumentException("bind, codec, sessions, allowedOrigins and log are required");
    }
    if (path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException("path must start with '/', was " + path);
    }
    this.bind = bind;
    this.path = path;
    this.codec = codec;
    this.sessions = sessions;
    this.origins = new Origins(allowedOrigins, bind.getAddress() != null && bind.getAddress().isLoopbackAddress());
    this.log = log;
    this.limits = limits;
  }

  private volatile HttpAuth auth;

  /**
   * Requires every request to pass {@code auth} (and binds each session to the caller that opened it); without it,
   * every session acts for the local user. Set before {@link #start}.
   */
  public StreamableHttpServer auth(HttpAuth a) {
    this.auth = a;
    return this;
  }

  HttpAuth auth() {
    return auth;
  }

  /** Binds and starts serving. */
  public synchronized void start() throws IOException {
    if (jetty != null) {
      throw new IllegalStateException("server on " + bind + " already started");
    }
    QueuedThreadPool threads = new QueuedThreadPool(32, 4, 60_000);
    threads.setName("aegis-http");
    threads.setDaemon(true);
    jetty = new Server(threads);
    HttpConfiguration config = new HttpConfiguration();
    config.setSendServerVersion(false);
    config.setSendDateHeader(false);
    config.setUseInputDirectByteBuffers(false); // small bodies are decoded straight from the heap buffer
    config.setUseOutputDirectByteBuffers(false);
    connector = new ServerConnector(jetty, 1, 1, new HttpConnectionFactory(config));
    connector.setHost(bind.getHostString());
    connector.setPort(bind.getPort());
    connector.setIdleTimeout(Math.max(30_000, limits.keepAlive().toMillis() * 2));
    jetty.addConnector(connector);
    jetty.setHandler(new McpEndpoint(this));
    jetty.setStopTimeout(0);
    try {
      jetty.start();
    } catch (Exception e) {
      try {
        jetty.stop();
      } catch (Exception ignored) {
        // already failing
      }
      throw new IOException("cannot start the HTTP endpoint on " + bind + ": " + e.getMessage(), e);
    }
    sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "aegis-http-keepalive");
      t.setDaemon(true);
      return t;
    });
    long every = limits.keepAlive().toMillis();
    sweeper.scheduleWithFixedDelay(this::sweep, every, Math.max(1, every / 3), TimeUnit.MILLISECONDS);
    log.accept("Streamable HTTP endpoint listening on " + uri());
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    ServerConnector c = connector;
    if (c == null) {
      throw new IllegalStateException("server not started");
    }
    return c.getLocalPort();
  }

  /** The endpoint's URL, e.g. {@code http://127.0.0.1:8080/mcp}. */
  public URI uri() {
    String host = bind.getAddress() != null && bind.getAddress().isAnyLocalAddress() ? "127.0.0.1"
        : bind.getHostString();
    if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + port() + path);
  }

  /** Number of open sessions. */
  public int sessionCount() {
    return byId.size();
  }

  /** Ends every session and stops the server. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (sweeper != null) {
      sweeper.shutdownNow();
    }
    for (HttpSession s : List.copyOf(byId.values())) {
      s.close("the gateway is shutting down");
    }
    byId.clear();
    if (jetty != null) {
      try {
        jetty.stop();
      } catch (Exception e) {
        log.accept("stopping the HTTP endpoint: " + e.getMessage());
      }
    }
  }

  /** Keep-alives for open streams, SSE for slow answers, and the end of idle sessions. */
  private void sweep() {
    try {
      long now = System.nanoTime();
      long interval = limits.keepAlive().toNanos();
      for (SseSink s : liveSinks) {
        s.keepAlive(now, interval);
      }
      for (PostExchange ex : waiting) {
        ex.heartbeat(now, interval);
      }
      long idle = limits.sessionIdle().toNanos();
      for (HttpSession s : byId.values()) {
        if (s.isIdle() && now - s.lastActive() > idle) {
          log.accept("session " + s.id() + ": closed after " + limits.sessionIdle().toMinutes()
              + " min without requests or an open stream");
          byId.remove(s.id(), s);
          s.close("the session expired");
        }
      }
    } catch (RuntimeException e) {
      log.accept("HTTP keep-alive sweep failed: " + e);
    }
  }

  // ------------------------------------------------------------------------------------ for the package

  String path() {
    return path;
  }

  Codec codec() {
    return codec;
  }

  SessionFactory sessions() {
    return sessions;
  }

  Origins origins() {
    return origins;
  }

  Consumer<String> log() {
    return log;
  }

  Limits limits() {
    return limits;
  }

  Map<String, HttpSession> byId() {
    return byId;
  }

  Set<SseSink> liveSinks() {
    return liveSinks;
  }

  Set<PostExchange> waiting() {
    return waiting;
  }

  boolean isClosed() {
    return closed.get();
  }
}
