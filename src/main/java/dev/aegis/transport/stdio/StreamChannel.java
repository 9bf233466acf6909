package dev.aegis.transport.stdio;

import dev.aegis.protocol.Codec;
import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.ProtocolException;
import dev.aegis.transport.MessageChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Newline-delimited JSON-RPC over a pair of streams (MCP's stdio transport). One platform thread reads; writers
 * serialise on the output stream. Lines over the codec's limit are skipped and reported, never buffered whole.
 *
 * <pre>{@code new StreamChannel(System.in, System.out, codec, "stdio:host") }</pre>
 */
public class StreamChannel implements MessageChannel {
  private final InputStream in;
  private final OutputStream out;
  private final Codec codec;
  private final String description;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean reported = new AtomicBoolean();
  private volatile Receiver receiver;

  public StreamChannel(InputStream in, OutputStream out, Codec codec, String description) {
    this.in = in;
    this.out = out;
    this.codec = codec;
    this.description = description;
  }

  @Override
  public void start(Receiver r) {
    if (receiver != null) {
      throw new IllegalStateException("channel " + description + " already started");
    }
    this.receiver = r;
    Thread t = new Thread(this::readLoop, "aegis-read-" + description);
    t.setDaemon(true);
    t.start();
  }

  private void readLoop() {
    LineReader reader = new LineReader(in, codec.maxBytes());
    Codec.Sink sink = new Codec.Sink() {
      @Override
      public void message(Message message) {
        receiver.onMessage(message);
      }

      @Override
      public void invalid(ProtocolException error) {
        receiver.onInvalid(error);
      }
    };
    Throwable cause = null;
    try {
      byte[] line;
      while ((line = reader.next()) != null) {
        if (line == LineReader.OVERSIZE) {
          receiver.onInvalid(new ProtocolException(JsonRpcError.of(JsonRpcError.MESSAGE_TOO_LARGE,
              "message of at least " + reader.lastOversize() + " bytes exceeds the limit of " + codec.maxBytes()),
              null));
          continue;
        }
        codec.decodeEach(line, 0, reader.length(), sink);
      }
    } catch (IOException e) {
      if (!closed.get()) {
        cause = e;
      }
    } catch (RuntimeException e) {
      cause = e;
    }
    readerEnded(cause);
  }

  /**
   * Serves the peer on the calling thread's behalf: each message goes to {@code handler} (on the reader thread),
   * invalid input is answered with a JSON-RPC error, and the call returns when the input ends. For small servers.
   */
  public void serve(java.util.function.Consumer<Message> handler) throws InterruptedException {
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
    start(new Receiver() {
      @Override
      public void onMessage(Message message) {
        handler.accept(message);
      }

      @Override
      public void onInvalid(ProtocolException error) {
        try {
          send(dev.aegis.protocol.Response.error(error.id(), error.error()));
        } catch (IOException e) {
          // the peer is gone; the reader will see the end of input
        }
      }

      @Override
      public void onClosed(Throwable cause) {
        done.countDown();
      }
    });
    done.await();
  }

  /** Called once when the input ends; subclasses may add detail (a process's exit code). */
  protected void readerEnded(Throwable cause) {
    reportClosed(cause);
  }

  protected final void reportClosed(Throwable cause) {
    if (reported.compareAndSet(false, true) && receiver != null) {
      receiver.onClosed(cause);
    }
  }

  @Override
  public void send(Message message) throws IOException {
    byte[] bytes = codec.encode(message);
    if (closed.get()) {
      throw new IOException("channel " + description + " is closed");
    }
    synchronized (out) {
      out.write(bytes);
      out.write('\n');
      out.flush();
    }
  }

  @Override
  public String describe() {
    return description;
  }

  protected boolean isClosed() {
    return closed.get();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        out.close();
      } catch (IOException ignored) {
        // closing anyway
      }
      try {
        in.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
