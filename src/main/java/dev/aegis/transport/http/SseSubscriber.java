package dev.aegis.transport.http;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Feeds an SSE response body to a {@link SseParser} as the bytes arrive, so each event is delivered at once rather
 * than when the stream ends. {@link #cancel()} closes the stream from our side.
 */
final class SseSubscriber implements HttpResponse.BodySubscriber<byte[]> {
  private final SseParser parser;
  private final CompletableFuture<byte[]> done = new CompletableFuture<>();
  private Flow.Subscription subscription;
  private boolean cancelled;

  SseSubscriber(SseParser parser) {
    this.parser = parser;
  }

  SseParser parser() {
    return parser;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    boolean cancel;
    synchronized (this) {
      subscription = s;
      cancel = cancelled;
    }
    if (cancel) {
      s.cancel();
    } else {
      s.request(1);
    }
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    try {
      for (ByteBuffer b : items) {
        parser.feed(b);
      }
    } catch (RuntimeException e) {
      cancel();
      done.completeExceptionally(e);
      return;
    }
    Flow.Subscription s;
    synchronized (this) {
      s = cancelled ? null : subscription;
    }
    if (s != null) {
      s.request(1);
    }
  }

  @Override
  public void onError(Throwable t) {
    done.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    done.complete(null);
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return done;
  }

  /** Stops reading; the HTTP connection is closed. */
  void cancel() {
    Flow.Subscription s;
    synchronized (this) {
      cancelled = true;
      s = subscription;
    }
    if (s != null) {
      s.cancel();
    }
    done.complete(null);
  }
}
