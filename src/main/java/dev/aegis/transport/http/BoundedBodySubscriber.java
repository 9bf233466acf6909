package dev.aegis.transport.http;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/** Collects a response body into one array, failing (and closing the connection) past a size limit. */
final class BoundedBodySubscriber implements HttpResponse.BodySubscriber<byte[]> {
  private static final byte[] EMPTY = new byte[0];
  private final int max;
  private final CompletableFuture<byte[]> done = new CompletableFuture<>();
  private Flow.Subscription subscription;
  private byte[] buf = EMPTY;
  private int length;

  BoundedBodySubscriber(int max, long declaredLength) {
    this.max = max;
    if (declaredLength > 0 && declaredLength <= max) {
      buf = new byte[(int) declaredLength];
    }
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    s.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    if (done.isDone()) {
      return;
    }
    for (ByteBuffer b : items) {
      int n = b.remaining();
      if ((long) length + n > max) {
        subscription.cancel();
        done.completeExceptionally(new IOException("response body of at least " + ((long) length + n)
            + " bytes exceeds the limit of " + max));
        return;
      }
      if (length + n > buf.length) {
        buf = Arrays.copyOf(buf, (int) Math.min(max, Math.max((long) buf.length * 2, (long) length + n)));
      }
      b.get(buf, length, n);
      length += n;
    }
  }

  @Override
  public void onError(Throwable t) {
    done.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    done.complete(length == buf.length ? buf : Arrays.copyOf(buf, length));
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return done;
  }
}
