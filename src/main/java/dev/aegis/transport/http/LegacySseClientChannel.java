package dev.aegis.transport.http;

import dev.aegis.protocol.Codec;
import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.Request;
import dev.aegis.transport.MessageChannel;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The 2024-11-05 HTTP+SSE transport, for old servers: one GET stream carries everything the server sends; its first
 * event ({@code endpoint}) names the URL to POST messages to. POSTs go out one after another, in order. When the
 * stream ends the channel is closed (the protocol has no resumption), and the gateway reconnects.
 *
 * <pre>{@code new LegacySseClientChannel(URI.create("http://localhost:3001/sse"), Map.of(), codec, log::info) }</pre>
 */
public final class LegacySseClientChannel implements MessageChannel {
  static final Duration ENDPOINT_TIMEOUT = Duration.ofSeconds(30);

  private final URI url;
  private final Map<String, String> headers;
  private final Codec codec;
  private final Consumer<String> log;
  private final HttpClient client;
  private final Inbound inbound;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CompletableFuture<URI> endpoint = new CompletableFuture<>();
  private volatile SseSubscriber stream;
  /** The previous POST; the next one starts when it is answered, so the server sees messages in order. */
  private CompletableFuture<Void> previous = CompletableFuture.completedFuture(null);

  public LegacySseClientChannel(URI url, Map<String, String> headers, Codec codec, Consumer<String> log) {
    this(url, headers, codec, log, SharedHttpClient.get());
  }

  public LegacySseClientChannel(URI url, Map<String, String> headers, Codec codec, Consumer<String> log,
      HttpClient client) {
    SharedHttpClient.validate(url, headers);
    this.url = url;
    this.headers = Map.copyOf(headers);
    this.codec = codec;
    this.log = log;
    this.client = client;
    this.inbound = new Inbound(codec, m -> { });
  }

  @Override
  public void start(Receiver receiver) {
    inbound.start(receiver, describe());
    HttpRequest.Builder b = HttpRequest.newBuilder(url).GET().header("Accept", "text/event-stream");
    headers.forEach(b::setHeader);
    int[] status = new int[1];
    client.sendAsync(b.build(), info -> {
      status[0] = info.statusCode();
      if (info.statusCode() == 200) {
        stream = new SseSubscriber(new SseParser(codec.maxBytes(), new Events()));
        if (closed.get()) {
          stream.cancel();
        }
        return stream;
      }
      return new BoundedBodySubscriber(64 * 1024, -1);
    }).whenComplete((response, error) -> {
      if (closed.get()) {
        return;
      }
      String why = error != null ? "the SSE stream from " + url + " failed: "
          + StreamableHttpClientChannel.describe(error)
          : status[0] != 200 ? "GET " + url + " answered HTTP " + status[0] : "the SSE stream from " + url + " ended";
      fail(new IOException(why));
    });
    CompletableFuture.delayedExecutor(ENDPOINT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
      if (!endpoint.isDone() && !closed.get()) {
        fail(new IOException("no endpoint event from " + url + " within " + ENDPOINT_TIMEOUT.toSeconds() + " s"));
      }
    });
  }

  private final class Events implements SseParser.Listener {
    @Override
    public void event(String id, String type, byte[] data, int length) {
      if (type.equals("endpoint")) {
        String target = new String(data, 0, length, StandardCharsets.UTF_8).trim();
        try {
          URI resolved = url.resolve(target);
          if (!endpoint.complete(resolved)) {
            log.accept(describe() + ": ignoring a second endpoint event");
          }
        } catch (IllegalArgumentException e) {
          fail(new IOException("the endpoint event from " + url + " is not a URL: " + target));
        }
      } else if (type.equals("message")) {
        inbound.deliver(data, length);
      }
    }

    @Override
    public void oversize(long bytes) {
      inbound.invalid(new dev.aegis.protocol.ProtocolException(JsonRpcError.of(JsonRpcError.MESSAGE_TOO_LARGE,
          "an SSE event of " + bytes + " bytes exceeds the limit of " + codec.maxBytes()), null));
    }
  }

  @Override
  public void send(Message message) throws IOException {
    if (closed.get()) {
      throw new IOException("channel " + describe() + " is closed");
    }
    byte[] body = codec.encode(message);
    CompletableFuture<Void> done = new CompletableFuture<>();
    CompletableFuture<Void> before;
    synchronized (this) {
      before = previous;
      previous = done;
    }
    before.thenCompose(v -> endpoint).whenComplete((target, error) -> {
      if (error != null) {
        refuse(message, "no endpoint to post to: " + StreamableHttpClientChannel.describe(error));
        done.complete(null);
        return;
      }
      post(target, message, body).whenComplete((v, e) -> done.complete(null));
    });
  }

  private CompletableFuture<Void> post(URI target, Message message, byte[] body) {
    if (closed.get()) {
      return CompletableFuture.completedFuture(null);
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(target).POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .header("Content-Type", "application/json");
    headers.forEach(b::setHeader);
    return client.sendAsync(b.build(), info -> new BoundedBodySubscriber(64 * 1024, -1)).handle((response, error) -> {
      if (error != null) {
        refuse(message, "cannot reach " + target + ": " + StreamableHttpClientChannel.describe(error));
      } else if (response.statusCode() >= 300) {
        String text = new String(response.body(), 0, Math.min(300, response.body().length), StandardCharsets.UTF_8)
            .strip();
        refuse(message, "POST " + target + " answered HTTP " + response.statusCode()
            + (text.isEmpty() ? "" : ": " + text));
      }
      return null;
    });
  }

  private void refuse(Message message, String why) {
    if (closed.get()) {
      return;
    }
    if (message instanceof Request r) {
      inbound.fail(r, JsonRpcError.UPSTREAM_UNAVAILABLE, why);
    } else {
      log.accept(describe() + ": " + why);
    }
  }

  private void fail(IOException cause) {
    if (closed.compareAndSet(false, true)) {
      endpoint.completeExceptionally(cause);
      SseSubscriber s = stream;
      if (s != null) {
        s.cancel();
      }
      inbound.end(cause);
    }
  }

  @Override
  public String describe() {
    return url + " (HTTP+SSE)";
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      endpoint.completeExceptionally(new IOException("channel closed"));
      SseSubscriber s = stream;
      if (s != null) {
        s.cancel();
      }
      inbound.end(null);
    }
  }
}
