package dev.aegis.transport.stdio;

import dev.aegis.protocol.Codec;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.ProtocolException;
import dev.aegis.protocol.Response;
import dev.aegis.transport.MessageChannel;
import dev.aegis.transport.ServerSession;
import dev.aegis.transport.SessionFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * Serves one host over a pair of streams (the gateway's own stdin/stdout when a host launches it as a command).
 * Invalid input is answered with a JSON-RPC error and the stream goes on; end of input closes the session.
 */
public final class StdioServer {
  private final StreamChannel channel;
  private final SessionFactory sessions;
  private final Consumer<String> log;
  private final CountDownLatch done = new CountDownLatch(1);

  public StdioServer(InputStream in, OutputStream out, Codec codec, SessionFactory sessions, Consumer<String> log) {
    this.channel = new StreamChannel(in, out, codec, "host");
    this.sessions = sessions;
    this.log = log;
  }

  /** Serves until the host closes its end; returns then. */
  public void run() throws InterruptedException {
    ServerSession session = sessions.open("stdio", (message, related) -> {
      try {
        channel.send(message);
      } catch (IOException e) {
        log.accept("cannot write to the host: " + e.getMessage());
      }
    });
    channel.start(new MessageChannel.Receiver() {
      @Override
      public void onMessage(Message message) {
        session.receive(message);
      }

      @Override
      public void onInvalid(ProtocolException error) {
        try {
          channel.send(Response.error(error.id(), error.error()));
        } catch (IOException e) {
          log.accept("cannot write to the host: " + e.getMessage());
        }
      }

      @Override
      public void onClosed(Throwable cause) {
        session.close();
        done.countDown();
      }
    });
    done.await();
    channel.close();
  }
}
