package dev.aegis.transport;

import dev.aegis.protocol.Message;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * A channel to a server that runs inside this process (a built-in server such as shared memory): messages are handed
 * over as objects, never serialised. What the gateway sends is delivered to the server's session on one thread of
 * this channel's, in order; what the server sends back reaches the receiver on that same thread.
 *
 * <pre>{@code
 * MessageChannel ch = InProcessChannel.open("builtin:memory", port -> memoryServer.open("builtin", port, caller));
 * }</pre>
 */
public final class InProcessChannel implements MessageChannel {
  private final String name;
  private final Function<ClientPort, ServerSession> server;
  private final ExecutorService worker;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Receiver receiver;
  private volatile ServerSession session;

  private InProcessChannel(String name, Function<ClientPort, ServerSession> server) {
    this.name = name;
    this.server = server;
    this.worker = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
  }

  /** A channel whose server side is the session {@code server} opens on the port it is given. */
  public static InProcessChannel open(String name, Function<ClientPort, ServerSession> server) {
    return new InProcessChannel(name, server);
  }

  @Override
  public void start(Receiver receiver) throws IOException {
    this.receiver = receiver;
    try {
      this.session = server.apply((message, related) -> {
        if (!closed.get()) {
          receiver.onMessage(message);
        }
      });
    } catch (RuntimeException e) {
      closed.set(true);
      worker.shutdownNow();
      throw new IOException(name + " could not start: " + e.getMessage(), e);
    }
  }

  @Override
  public void send(Message message) throws IOException {
    ServerSession s = session;
    if (s == null || closed.get()) {
      throw new IOException(name + " is closed");
    }
    try {
      worker.execute(() -> {
        if (!closed.get()) {
          s.receive(message);
        }
      });
    } catch (RejectedExecutionException e) {
      throw new IOException(name + " is closed", e);
    }
  }

  @Override
  public String describe() {
    return name;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    worker.execute(() -> {
      ServerSession s = session;
      if (s != null) {
        s.close();
      }
      Receiver r = receiver;
      if (r != null) {
        r.onClosed(null);
      }
    });
    worker.shutdown();
  }
}
