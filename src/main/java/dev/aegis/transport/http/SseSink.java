package dev.aegis.transport.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;

/**
 * One open {@code text/event-stream} HTTP response. Frames are queued and written one write at a time (frames that
 * pile up meanwhile go out together); nothing blocks. The response ends after {@link #end()}, or fails when the client
 * goes away, and the owning {@link EventStream} hears of either.
 */
final class SseSink extends IteratingCallback {
  static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] OPEN = new byte[0];
  private static final HttpField EVENT_STREAM = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "text/event-stream");
  private static final HttpField NO_CACHE = new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, "no-cache");
  private static final HttpField NO_BUFFERING = new PreEncodedHttpField("X-Accel-Buffering", "no");

  /** Hears how the response ended. */
  interface Owner {
    /** {@code failure} is null when the response ended normally after {@link #end()}. */
    void sinkEnded(SseSink sink, Throwable failure);
  }

  private final Response response;
  private final Callback done;
  private final Set<SseSink> live;
  private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
  private Owner owner;
  private boolean ending;
  private boolean lastWritten;
  private boolean gone;
  private volatile boolean writePending;
  private volatile long lastWrite = System.nanoTime();

  /**
   * @param live the server's set of open streams (for keep-alives); the sink is in it until it ends
   */
  SseSink(Request request, Response response, Callback done, Set<SseSink> live) {
    this.response = response;
    this.done = done;
    this.live = live;
    request.addIdleTimeoutListener(timeout -> writePending); // keep-alives keep a healthy stream busy
    request.addFailureListener(this::abort);
  }

  /** Sets the SSE headers and commits them with an empty first write. Called once, before any frame. */
  void open(Owner owner) {
    synchronized (this) {
      this.owner = owner;
      if (!response.isCommitted()) {
        response.setStatus(200);
        response.getHeaders().put(EVENT_STREAM).put(NO_CACHE).put(NO_BUFFERING);
      }
      queue.add(OPEN);
    }
    live.add(this);
    iterate();
  }

  /** Queues a frame; false when this response is ending or gone. */
  boolean offer(byte[] frame) {
    synchronized (this) {
      if (gone || ending) {
        return false;
      }
      queue.add(frame);
    }
    iterate();
    return true;
  }

  /** Writes what is queued, then ends the response. */
  void end() {
    synchronized (this) {
      ending = true;
    }
    iterate();
  }

  synchronized boolean isOpen() {
    return !gone && !ending;
  }

  /** Sends an SSE comment when nothing was written for {@code intervalNanos}, so dead peers are noticed. */
  void keepAlive(long now, long intervalNanos) {
    if (!writePending && now - lastWrite >= intervalNanos) {
      offer(KEEP_ALIVE);
    }
  }

  @Override
  protected Action process() {
    ByteBuffer buf;
    boolean last;
    synchronized (this) {
      if (lastWritten) {
        return Action.SUCCEEDED;
      }
      if (queue.isEmpty()) {
        if (!ending) {
          return Action.IDLE;
        }
        buf = ByteBuffer.wrap(OPEN);
        last = true;
      } else {
        buf = drain();
        last = ending;
      }
      lastWritten = last;
    }
    writePending = true;
    lastWrite = System.nanoTime();
    response.write(last, buf, this);
    return Action.SCHEDULED;
  }

  private ByteBuffer drain() {
    if (queue.size() == 1) {
      return ByteBuffer.wrap(queue.poll());
    }
    int total = 0;
    for (byte[] f : queue) {
      total += f.length;
    }
    byte[] all = new byte[total];
    int at = 0;
    for (byte[] f; (f = queue.poll()) != null; ) {
      System.arraycopy(f, 0, all, at, f.length);
      at += f.length;
    }
    return ByteBuffer.wrap(all);
  }

  @Override
  protected void onSuccess() {
    writePending = false;
  }

  @Override
  protected void onCompleteSuccess() {
    live.remove(this);
    done.succeeded();
    Owner o = owner();
    if (o != null) {
      o.sinkEnded(this, null);
    }
  }

  @Override
  protected void onCompleteFailure(Throwable cause) {
    synchronized (this) {
      gone = true;
      queue.clear();
    }
    live.remove(this);
    done.failed(cause);
    Owner o = owner();
    if (o != null) {
      o.sinkEnded(this, cause);
    }
  }

  private synchronized Owner owner() {
    return owner;
  }

  @Override
  public InvocationType getInvocationType() {
    return InvocationType.NON_BLOCKING;
  }
}
