package dev.aegis.transport.http;

import dev.aegis.protocol.Codec;
import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.McpMethod;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.Notification;
import dev.aegis.protocol.ProtocolException;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.RequestId;
import dev.aegis.protocol.Response;
import dev.aegis.transport.MessageChannel;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;

/**
 * The gateway as a client of a remote MCP server over Streamable HTTP. Each message is one POST; the answer comes
 * back as JSON or as an SSE stream whose events are delivered as they arrive. The session id and protocol version
 * the server chose are sent on later requests; after {@code notifications/initialized} the standalone GET stream is
 * opened (unless the server answers 405) and reopened with {@code Last-Event-ID} when it drops. HTTP failures
 * become JSON-RPC error responses for the request concerned; a 404 for the session means it expired, reported via
 * {@link Receiver#onClosed} so the gateway reconnects.
 *
 * <pre>{@code
 * MessageChannel ch = StreamableHttpClientChannel.open(URI.create("https://mcp.example.com/mcp"),
 *     Map.of("Authorization", "Bearer …"), false, codec, log::info);
 * }</pre>
 */
public final class StreamableHttpClientChannel implements MessageChannel {
  private static final String ACCEPT_BOTH = "application/json, text/event-stream";
  private static final Duration DELETE_TIMEOUT = Duration.ofSeconds(2);
  private static final int MAX_GET_FAILURES = 8;
  private static final int MAX_RESUMES = 3;
  private static final long MAX_BACKOFF_MS = 30_000;

  private final URI url;
  private final Map<String, String> headers;
  private final Codec codec;
  private final Consumer<String> log;
  private final HttpClient client;
  private final Inbound inbound;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean getStarted = new AtomicBoolean();
  private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
  private final Set<SseSubscriber> streams = ConcurrentHashMap.newKeySet();
  private volatile String sessionId;
  private volatile String protocolVersion;
  private volatile RequestId initializeId;
  private volatile long retryHintMs = 1_000;
  /** Completes when the last notification or response POST was answered; later sends start after it. */
  private CompletableFuture<Void> barrier = CompletableFuture.completedFuture(null);

  /** A channel on the shared HTTP/1.1 client. */
  public StreamableHttpClientChannel(URI url, Map<String, String> headers, Codec codec, Consumer<String> log) {
    this(url, headers, codec, log, SharedHttpClient.get());
  }

  /**
   * @param headers sent with every request (e.g. {@code Authorization}); they replace defaults of the same name
   * @param client an HTTP client; use HTTP/1.1
   */
  public StreamableHttpClientChannel(URI url, Map<String, String> headers, Codec codec, Consumer<String> log,
      HttpClient client) {
    SharedHttpClient.validate(url, headers);
    this.url = url;
    this.headers = Map.copyOf(headers);
    this.codec = codec;
    this.log = log;
    this.client = client;
    this.inbound = new Inbound(codec, this::observe);
  }

  /** The channel for a remote server: Streamable HTTP, or the 2024-11-05 HTTP+SSE transport when asked. */
  public static MessageChannel open(URI url, Map<String, String> headers, boolean legacySse, Codec codec,
      Consumer<String> log) {
    return legacySse ? new LegacySseClientChannel(url, headers, codec, log)
        : new StreamableHttpClientChannel(url, headers, codec, log);
  }

  @Override
  public void start(Receiver receiver) {
    inbound.start(receiver, describe());
  }

  @Override
  public void send(Message message) throws IOException {
    if (closed.get()) {
      throw new IOException("channel " + describe() + " is closed");
    }
    if (message instanceof Request r && r.method().equals(McpMethod.INITIALIZE.wire())) {
      initializeId = r.id();
    }
    byte[] body = codec.encode(message);
    CompletableFuture<Void> gate;
    CompletableFuture<Void> answered = new CompletableFuture<>();
    synchronized (this) {
      gate = barrier;
      if (!(message instanceof Request)) {
        barrier = answered; // notifications keep their place: what follows waits for their 202
      }
    }
    if (gate.isDone()) {
      post(message, body, answered);
    } else {
      gate.whenComplete((v, e) -> post(message, body, answered));
    }
  }

  private void post(Message message, byte[] body, CompletableFuture<Void> answered) {
    if (closed.get()) {
      answered.complete(null);
      return;
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(url).POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .header("Content-Type", "application/json").header("Accept", ACCEPT_BOTH);
    addSessionHeaders(b, message);
    RequestId expected = message instanceof Request r ? r.id() : null;
    AtomicBoolean answeredInStream = new AtomicBoolean();
    SseSubscriber[] stream = new SseSubscriber[1];
    CompletableFuture<HttpResponse<byte[]>> f = client.sendAsync(b.build(), info -> {
      info.headers().firstValue(McpHeaders.SESSION_ID).ifPresent(id -> {
        if (sessionId == null || (message instanceof Request r && r.method().equals(McpMethod.INITIALIZE.wire()))) {
          sessionId = id;
        }
      });
      if (isEventStream(info)) {
        stream[0] = new SseSubscriber(new SseParser(codec.maxBytes(), events(expected, answeredInStream)));
        streams.add(stream[0]);
        return stream[0];
      }
      return new BoundedBodySubscriber(codec.maxBytes(), info.headers().firstValueAsLong("content-length").orElse(-1));
    });
    inFlight.add(f);
    f.whenComplete((response, error) -> {
      inFlight.remove(f);
      if (stream[0] != null) {
        streams.remove(stream[0]);
      }
      answered.complete(null);
      try {
        completed(message, response, unwrap(error), stream[0], answeredInStream.get());
      } catch (RuntimeException e) {
        log.accept(describe() + ": handling the answer to " + kind(message) + " failed: " + e);
      }
    });
  }

  private void completed(Message message, HttpResponse<byte[]> response, Throwable error, SseSubscriber stream,
      boolean answeredInStream) {
    if (closed.get()) {
      return;
    }
    Request request = message instanceof Request r ? r : null;
    if (stream != null) {
      if (request != null && !answeredInStream) {
        String last = stream.parser().lastId();
        if (last != null) {
          resume(request, last, 1);
        } else {
          inbound.fail(request, JsonRpcError.UPSTREAM_UNAVAILABLE, "the SSE stream from " + url
              + " ended before the response" + (error == null ? "" : ": " + describe(error)));
        }
      }
      return;
    }
    if (error != null) {
      if (request != null) {
        inbound.fail(request, JsonRpcError.UPSTREAM_UNAVAILABLE, "cannot reach " + url + ": " + describe(error));
      } else {
        log.accept(describe() + ": cannot send " + kind(message) + ": " + describe(error));
      }
      return;
    }
    int status = response.statusCode();
    if (status == 404 && sessionId != null && !isInitialize(message)) {
      expired();
      return;
    }
    if (status >= 200 && status < 300) {
      byte[] body = response.body();
      if (body != null && body.length > 0 && status != 202) {
        inbound.deliver(body, body.length);
      }
      if (message instanceof Notification n && n.method().equals(McpMethod.INITIALIZED.wire())) {
        startStandaloneStream();
      }
      return;
    }
    String why = httpError("POST", status, response.body());
    if (request != null) {
      Response answer = errorBody(response.body());
      if (answer != null && answer.error() != null) {
        JsonRpcError e = answer.error();
        inbound.deliver(Response.error(request.id(), new JsonRpcError(e.code(), e.message() + " (HTTP " + status
            + " from " + url + ")", e.data())));
      } else {
        inbound.fail(request, JsonRpcError.UPSTREAM_UNAVAILABLE, why);
      }
    } else {
      log.accept(describe() + ": " + kind(message) + " refused: " + why);
    }
  }

  /** SSE events of one POST (or resumption): delivered at once; notes when the expected response went by. */
  private SseParser.Listener events(RequestId expected, AtomicBoolean answered) {
    return new SseParser.Listener() {
      @Override
      public void event(String id, String type, byte[] data, int length) {
        if (!type.equals("message")) {
          return;
        }
        if (expected == null) {
          inbound.deliver(data, length);
          return;
        }
        codec.decodeEach(data, 0, length, new Codec.Sink() {
          @Override
          public void message(Message m) {
            if (m instanceof Response r && expected.equals(r.id())) {
              answered.set(true);
            }
            inbound.deliver(m);
          }

          @Override
          public void invalid(ProtocolException error) {
            inbound.invalid(error);
          }
        });
      }

      @Override
      public void oversize(long bytes) {
        inbound.invalid(new ProtocolException(JsonRpcError.of(JsonRpcError.MESSAGE_TOO_LARGE, "an SSE event of "
            + bytes + " bytes from " + url + " exceeds the limit of " + codec.maxBytes()), null));
      }

      @Override
      public void retry(long millis) {
        retryHintMs = Math.min(MAX_BACKOFF_MS, Math.max(100, millis));
      }
    };
  }

  /** A request's stream broke before its response: ask for the rest with {@code Last-Event-ID}. */
  private void resume(Request request, String lastEventId, int attempt) {
    if (closed.get()) {
      return;
    }
    AtomicBoolean answered = new AtomicBoolean();
    openGet(lastEventId, events(request.id(), answered), (opened, status, last) -> {
      if (answered.get() || closed.get()) {
        return;
      }
      if (status == 404 && sessionId != null && !opened) {
        expired();
      } else if (attempt < MAX_RESUMES) {
        String from = last != null ? last : lastEventId;
        CompletableFuture.delayedExecutor(backoff(attempt), TimeUnit.MILLISECONDS)
            .execute(() -> resume(request, from, attempt + 1));
      } else {
        inbound.fail(request, JsonRpcError.UPSTREAM_UNAVAILABLE, "the response stream from " + url
            + " broke and could not be resumed after " + attempt + " attempts");
      }
    });
  }

  private void startStandaloneStream() {
    if (getStarted.compareAndSet(false, true)) {
      standalone(null, 0);
    }
  }

  /** The session's GET stream; reopened when it ends, with bounded backoff while it fails. */
  private void standalone(String lastEventId, int failures) {
    if (closed.get()) {
      return;
    }
    openGet(lastEventId, events(null, null), (opened, status, last) -> {
      if (closed.get()) {
        return;
      }
      if (status == 405) {
        log.accept(describe() + ": the server offers no standalone stream (GET answered 405)");
        return;
      }
      if (status == 404 && sessionId != null) {
        expired();
        return;
      }
      int f = opened ? 0 : failures + 1;
      if (f > MAX_GET_FAILURES) {
        log.accept(describe() + ": giving up on the standalone stream after " + MAX_GET_FAILURES + " failures");
        return;
      }
      if (!opened && f == 1) {
        log.accept(describe() + ": the standalone stream failed (" + (status > 0 ? "HTTP " + status : "no answer")
            + "); retrying with backoff");
      }
      long delay = opened ? retryHintMs : backoff(f);
      String from = last != null ? last : lastEventId;
      CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS).execute(() -> standalone(from, f));
    });
  }

  /** How a GET stream ended: whether it had opened, the status (0 when none), the last event id seen. */
  private interface StreamEnd {
    void ended(boolean opened, int status, String lastEventId);
  }

  private void openGet(String lastEventId, SseParser.Listener listener, StreamEnd end) {
    HttpRequest.Builder b = HttpRequest.newBuilder(url).GET().header("Accept", "text/event-stream");
    addSessionHeaders(b, null);
    if (lastEventId != null) {
      b.setHeader(McpHeaders.LAST_EVENT_ID, lastEventId);
    }
    SseSubscriber[] stream = new SseSubscriber[1];
    int[] status = new int[1];
    CompletableFuture<HttpResponse<byte[]>> f = client.sendAsync(b.build(), info -> {
      status[0] = info.statusCode();
      if (isEventStream(info)) {
        stream[0] = new SseSubscriber(new SseParser(codec.maxBytes(), listener));
        streams.add(stream[0]);
        if (closed.get()) {
          stream[0].cancel();
        }
        return stream[0];
      }
      return new BoundedBodySubscriber(64 * 1024, -1);
    });
    inFlight.add(f);
    f.whenComplete((response, error) -> {
      inFlight.remove(f);
      SseSubscriber s = stream[0];
      if (s != null) {
        streams.remove(s);
      }
      end.ended(s != null, status[0], s == null ? null : s.parser().lastId());
    });
  }

  private void addSessionHeaders(HttpRequest.Builder b, Message message) {
    String sid = sessionId;
    if (sid != null) {
      b.setHeader(McpHeaders.SESSION_ID, sid);
    }
    String version = protocolVersion;
    if (message instanceof Request r && McpHeaders.claimsStateless(r)) {
      JsonNode v = r.params().path("_meta").get(McpHeaders.META_VERSION);
      version = v.isString() ? v.stringValue() : version;
      b.setHeader(McpHeaders.METHOD, r.method());
      String name = McpHeaders.nameOf(r);
      if (name != null) {
        b.setHeader(McpHeaders.NAME, McpHeaders.encode(name));
      }
    }
    if (version != null) {
      b.setHeader(McpHeaders.PROTOCOL_VERSION, version);
    }
    headers.forEach(b::setHeader);
  }

  /** Learns the protocol version from the initialize result as it passes. */
  private void observe(Message m) {
    RequestId init = initializeId;
    if (init != null && m instanceof Response r && init.equals(r.id()) && r.result() != null) {
      String v = Message.textOrNull(r.result(), "protocolVersion");
      if (v != null) {
        protocolVersion = v;
      }
    }
  }

  private void expired() {
    IOException cause = new IOException("the server at " + url + " no longer knows session " + sessionId
        + " (HTTP 404); the session expired");
    shutdown();
    inbound.end(cause);
  }

  @Override
  public String describe() {
    return url.toString();
  }

  /** Stops every stream and request, ends the session on the server (best effort, briefly), and reports closed. */
  @Override
  public void close() {
    if (closed.get()) {
      return;
    }
    String sid = sessionId;
    shutdown();
    if (sid != null) {
      HttpRequest.Builder b = HttpRequest.newBuilder(url).DELETE().timeout(DELETE_TIMEOUT);
      headers.forEach(b::setHeader);
      b.setHeader(McpHeaders.SESSION_ID, sid);
      if (protocolVersion != null) {
        b.setHeader(McpHeaders.PROTOCOL_VERSION, protocolVersion);
      }
      try {
        client.sendAsync(b.build(), HttpResponse.BodyHandlers.discarding())
            .get(DELETE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        log.accept(describe() + ": ending the session failed: " + describe(e.getCause() == null ? e : e.getCause()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    inbound.end(null);
  }

  private void shutdown() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (SseSubscriber s : streams) {
      s.cancel();
    }
    for (CompletableFuture<?> f : inFlight) {
      f.cancel(true);
    }
  }

  // --------------------------------------------------------------------------------------------- helpers

  private static boolean isEventStream(HttpResponse.ResponseInfo info) {
    return info.statusCode() >= 200 && info.statusCode() < 300 && info.headers().firstValue("content-type")
        .map(t -> t.regionMatches(true, 0, "text/event-stream", 0, 17)).orElse(false);
  }

  private static boolean isInitialize(Message m) {
    return m instanceof Request r && r.method().equals(McpMethod.INITIALIZE.wire());
  }

  private Response errorBody(byte[] body) {
    if (body == null || body.length == 0) {
      return null;
    }
    try {
      Message m = codec.decodeOne(body);
      return m instanceof Response r ? r : null;
    } catch (ProtocolException e) {
      return null;
    }
  }

  private String httpError(String method, int status, byte[] body) {
    String text = body == null ? "" : new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8).strip();
    return method + " " + url + " answered HTTP " + status + (text.isEmpty() ? "" : ": " + text);
  }

  private static long backoff(int failures) {
    return Math.min(MAX_BACKOFF_MS, 500L << Math.min(failures, 10));
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  static String describe(Throwable t) {
    t = unwrap(t);
    if (t instanceof ConnectException) {
      return "connection refused";
    }
    if (t instanceof HttpTimeoutException) {
      return "timed out";
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  private static String kind(Message m) {
    return m instanceof Request r ? r.method() : m instanceof Notification n ? n.method() : "a response";
  }
}
