package dev.aegis.gateway;

import dev.aegis.chain.ExchangeListener;
import dev.aegis.chain.Interceptor;
import dev.aegis.config.GatewayConfig;
import dev.aegis.config.ServerConfig;
import dev.aegis.protocol.Codec;
import dev.aegis.protocol.Response;
import dev.aegis.transport.ClientPort;
import dev.aegis.transport.MessageChannel;
import dev.aegis.transport.ServerSession;
import dev.aegis.transport.SessionFactory;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The composition root: configuration, codec, the guards every message passes, the exchange listener, and the
 * sessions it opens for transports. One per process.
 *
 * <pre>{@code
 * Gateway gateway = new Gateway(config, List.of(), listener, log);
 * new StdioServer(System.in, System.out, gateway.codec(), gateway, log::warn).run();
 * }</pre>
 */
public final class Gateway implements SessionFactory, AutoCloseable {
  /** The version Aegis reports as serverInfo. */
  public static final String VERSION = "0.1.0";

  private final GatewayConfig config;
  private final Codec codec;
  private final List<Interceptor> guards;
  private final ExchangeListener listener;
  private final GatewayLog log;
  private final ScheduledExecutorService scheduler;
  private final UpstreamConnection.ChannelFactory channels;
  private final Map<String, GatewaySession> sessions = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private volatile GatewaySession statelessShared;
  private final Sweeper sweeper;
  private final java.util.concurrent.ExecutorService workers = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "aegis-worker");
    t.setDaemon(true);
    return t;
  });

  public Gateway(GatewayConfig config, List<Interceptor> guards, ExchangeListener listener, GatewayLog log) {
    this(config, guards, listener, log, null);
  }

  /**
   * @param channels opens upstream channels; null for the built-in stdio and HTTP transports
   */
  private final Map<String, Builtin> builtins = new ConcurrentHashMap<>();

  public Gateway(GatewayConfig config, List<Interceptor> guards, ExchangeListener listener, GatewayLog log,
      UpstreamConnection.ChannelFactory channels) {
    this.config = config;
    this.codec = new Codec(config.maxMessageBytes());
    this.guards = List.copyOf(guards);
    this.listener = listener;
    this.log = log;
    ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "aegis-timer");
      t.setDaemon(true);
      return t;
    });
    s.setRemoveOnCancelPolicy(true);
    this.scheduler = s;
    this.sweeper = new Sweeper(s);
    this.channels = channels != null ? channels : this::openChannel;
    this.sandbox = new dev.aegis.sandbox.Sandbox(config.sandbox(), log::info, log::warn);
  }

  public GatewayConfig config() {
    return config;
  }

  public Codec codec() {
    return codec;
  }

  GatewayLog log() {
    return log;
  }

  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  /** Runs session work that may wait, off the transports' threads. */
  java.util.concurrent.Executor workers() {
    return workers;
  }

  Sweeper sweeper() {
    return sweeper;
  }

  UpstreamConnection.ChannelFactory channels() {
    return channels;
  }

  /**
   * Serves {@code builtin: KIND} server entries with {@code server}: each session that uses one gets its own
   * in-process channel, and the built-in server learns who the session acts for.
   */
  public void builtin(String kind, Builtin server) {
    builtins.put(kind, server);
  }

  /** A server that runs inside the gateway (see {@link #builtin}). */
  public interface Builtin {
    /** A server-side session for the gateway session {@code session}, answering on {@code port}. */
    ServerSession open(dev.aegis.chain.SessionInfo session, ClientPort port);
  }

  /** The channel factory of one gateway session: built-in servers learn the session, the rest as configured. */
  UpstreamConnection.ChannelFactory channelsFor(dev.aegis.chain.SessionInfo session) {
    return server -> {
      if (server.transport() instanceof ServerConfig.Builtin b) {
        Builtin builtin = builtins.get(b.kind());
        if (builtin == null) {
          throw new IOException("no built-in '" + b.kind() + "' server in this gateway (server '" + server.name()
              + "')");
        }
        return dev.aegis.transport.InProcessChannel.open("builtin:" + b.kind(), port -> builtin.open(session, port));
      }
      return channels.open(server);
    };
  }

  /** Guards followed by the given terminal. */
  List<Interceptor> chainWith(Interceptor terminal) {
    List<Interceptor> all = new ArrayList<>(guards);
    all.add(terminal);
    return all;
  }

  ExchangeListener listener() {
    return listener;
  }

  @Override
  public ServerSession open(String transport, ClientPort port) {
    return open(transport, port, stdioCaller);
  }

  /** Who stdio sessions (and sessions opened without a caller) act for; "local" unless configured. */
  dev.aegis.transport.Caller stdioCaller() {
    return stdioCaller;
  }

  /** Names who stdio sessions act for (the configuration's identity.stdio principal). */
  public void stdioCaller(dev.aegis.transport.Caller caller) {
    this.stdioCaller = caller;
  }

  private volatile dev.aegis.transport.Caller stdioCaller = dev.aegis.transport.Caller.LOCAL;

  @Override
  public ServerSession open(String transport, ClientPort port, dev.aegis.transport.Caller caller) {
    if (sessions.size() >= config.maxSessions()) {
      log.warn("refused a " + transport + " session: " + sessions.size() + " are open, the limit (maxSessions)");
      throw new IllegalStateException("too many sessions: " + config.maxSessions() + " are open (gateway setting"
          + " maxSessions); close one or try later");
    }
    String id = newSessionId();
    GatewaySession session = new GatewaySession(id, transport, this, port, caller);
    sessions.put(id, session);
    log.info("session " + id + " opened (" + transport + ", " + caller.name() + " by " + caller.method() + ")");
    return session;
  }

  @Override
  public ServerSession stateless(ClientPort port) {
    GatewaySession shared = statelessShared;
    if (shared == null) {
      synchronized (this) {
        shared = statelessShared;
        if (shared == null) {
          shared = new GatewaySession("stateless", "http", this, null);
          statelessShared = shared;
        }
      }
    }
    return shared.view(port);
  }

  void closed(GatewaySession session) {
    sessions.remove(session.id());
    log.info("session " + session.id() + " closed");
  }

  /** Sessions open now. */
  /**
   * Tells every open session that guard decisions about definitions may have changed (for example a held tool was
   * approved in the lockfile): each fetches its lists again and tells its host to re-list.
   */
  public void definitionsChanged() {
    for (GatewaySession s : List.copyOf(sessions.values())) {
      s.definitionsChanged();
    }
  }

  /**
   * Asks the host of session {@code sessionId} through MCP elicitation ({@code elicitation/create} with
   * {@code params}); the future holds the host's result ({@code action}, {@code content}). Null when there is no such
   * session or its host cannot answer elicitation.
   */
  public CompletableFuture<JsonNode> elicit(String sessionId, ObjectNode params) {
    GatewaySession s = sessions.get(sessionId);
    CompletableFuture<Response> asked = s == null ? null : s.elicit(params);
    return asked == null ? null : asked.thenApply(r -> r.isError() ? null : r.result());
  }

  public int sessionCount() {
    return sessions.size();
  }

  private String newSessionId() {
    byte[] b = new byte[16];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** The sandbox stdio servers are launched in: its live servers and exits ({@code aegis status}, the audit log). */
  public dev.aegis.sandbox.Sandbox sandbox() {
    return sandbox;
  }

  /** Wraps stdio servers whose sandbox profile says so (docs/sandbox.md); unchanged when sandboxing is off. */
  private final dev.aegis.sandbox.Sandbox sandbox;

  private MessageChannel openChannel(ServerConfig server) throws IOException {
    if (server.transport() instanceof ServerConfig.Stdio s) {
      return sandbox.start(server.name(), s, codec, line -> log.info("[" + server.name() + "] " + line));
    }
    return HttpChannels.open(server, codec, log);
  }

  @Override
  public void close() {
    for (GatewaySession s : List.copyOf(sessions.values())) {
      s.close();
    }
    GatewaySession shared = statelessShared;
    if (shared != null) {
      shared.close();
    }
    scheduler.shutdownNow();
    workers.shutdownNow();
  }

}
