package dev.aegis.transport.http;

import dev.aegis.protocol.Message;
import dev.aegis.protocol.ProtocolException;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.RequestId;
import dev.aegis.protocol.Response;
import dev.aegis.transport.MessageChannel;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.node.ObjectNode;

/** Records what a channel delivers; the test takes messages with a timeout. */
final class RecordingReceiver implements MessageChannel.Receiver {
  final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
  final BlockingQueue<ProtocolException> invalid = new LinkedBlockingQueue<>();
  final CompletableFuture<Throwable> closed = new CompletableFuture<>();

  @Override
  public void onMessage(Message message) {
    messages.add(message);
  }

  @Override
  public void onInvalid(ProtocolException error) {
    invalid.add(error);
  }

  @Override
  public void onClosed(Throwable cause) {
    closed.complete(cause);
  }

  /** The next message, waiting at most {@code seconds}. */
  Message next(int seconds) throws InterruptedException {
    Message m = messages.poll(seconds, TimeUnit.SECONDS);
    if (m == null) {
      throw new AssertionError("nothing delivered within " + seconds + " s");
    }
    return m;
  }

  /** Sends a request and waits for its response, skipping (and returning to the queue's end) nothing else. */
  Response call(MessageChannel channel, long id, String method, ObjectNode params) throws Exception {
    channel.send(Request.of(RequestId.of(id), method, params));
    while (true) {
      Message m = next(10);
      if (m instanceof Response r && RequestId.of(id).equals(r.id())) {
        return r;
      }
    }
  }
}
