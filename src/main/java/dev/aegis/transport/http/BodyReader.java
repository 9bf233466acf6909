package dev.aegis.transport.http;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * Reads a request body without blocking a thread, up to a limit. A body that arrives in one heap chunk (the usual
 * case for a small JSON-RPC message) is handed over without a copy; a larger one is gathered into one array sized by
 * {@code Content-Length} when known. Past the limit, reading stops and the rest is never buffered.
 */
final class BodyReader implements Runnable {
  private static final byte[] EMPTY = new byte[0];

  /** What becomes of the body. Called once, on a Jetty thread. */
  interface Target {
    /** The whole body; the array is valid only during the call. */
    void body(byte[] bytes, int offset, int length);

    void tooLarge(long atLeast);

    void failed(Throwable cause);
  }

  private final Request request;
  private final int max;
  private final Target target;
  private byte[] buf;
  private int length;

  private BodyReader(Request request, int max, Target target) {
    this.request = request;
    this.max = max;
    this.target = target;
  }

  static void read(Request request, int max, Target target) {
    new BodyReader(request, max, target).run();
  }

  @Override
  public void run() {
    while (true) {
      Content.Chunk chunk = request.read();
      if (chunk == null) {
        request.demand(this);
        return;
      }
      if (Content.Chunk.isFailure(chunk)) {
        target.failed(chunk.getFailure());
        return;
      }
      ByteBuffer bb = chunk.getByteBuffer();
      int n = bb.remaining();
      if ((long) length + n > max) {
        chunk.release();
        target.tooLarge((long) length + n);
        return;
      }
      if (chunk.isLast() && length == 0 && bb.hasArray()) {
        try {
          target.body(bb.array(), bb.arrayOffset() + bb.position(), n);
        } finally {
          chunk.release();
        }
        return;
      }
      append(bb, n);
      chunk.release();
      if (chunk.isLast()) {
        target.body(buf == null ? EMPTY : buf, 0, length);
        return;
      }
    }
  }

  private void append(ByteBuffer bb, int n) {
    if (n == 0) {
      return;
    }
    if (buf == null) {
      long declared = request.getLength();
      int initial = declared > 0 && declared <= max ? (int) declared : Math.min(max, Math.max(n, 8 * 1024));
      buf = new byte[Math.max(initial, n)];
    } else if (length + n > buf.length) {
      buf = Arrays.copyOf(buf, (int) Math.min(max, Math.max((long) buf.length * 2, (long) length + n)));
    }
    bb.get(buf, length, n);
    length += n;
  }
}
