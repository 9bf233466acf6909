package dev.aegis.transport.http;

import dev.aegis.protocol.Codec;
import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.ProtocolException;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.Response;
import dev.aegis.transport.MessageChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The receiving half of an HTTP client channel: decodes bodies and events and hands messages to the receiver one at
 * a time (HTTP answers arrive on several threads), and reports the end exactly once. After the end nothing more is
 * delivered.
 */
final class Inbound {
  private final Codec codec;
  private final Consumer<Message> observer;
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile MessageChannel.Receiver receiver;

  /**
   * @param observer sees each message just before the receiver (the channel learns the protocol version from it)
   */
  Inbound(Codec codec, Consumer<Message> observer) {
    this.codec = codec;
    this.observer = observer;
  }

  void start(MessageChannel.Receiver r, String description) {
    if (receiver != null) {
      throw new IllegalStateException("channel " + description + " already started");
    }
    receiver = r;
  }

  boolean isEnded() {
    return ended.get();
  }

  /** Decodes a body or an event's data (a message or a batch) and delivers what it holds. */
  void deliver(byte[] bytes, int length) {
    codec.decodeEach(bytes, 0, length, new Codec.Sink() {
      @Override
      public void message(Message message) {
        deliver(message);
      }

      @Override
      public void invalid(ProtocolException error) {
        Inbound.this.invalid(error);
      }
    });
  }

  void deliver(Message m) {
    MessageChannel.Receiver r = receiver;
    synchronized (this) {
      if (ended.get() || r == null) {
        return;
      }
      observer.accept(m);
      r.onMessage(m);
    }
  }

  /** Answers a request locally with an error, as if the server had. */
  void fail(Request request, int code, String message) {
    deliver(Response.error(request.id(), JsonRpcError.of(code, message)));
  }

  void invalid(ProtocolException error) {
    MessageChannel.Receiver r = receiver;
    synchronized (this) {
      if (!ended.get() && r != null) {
        r.onInvalid(error);
      }
    }
  }

  /** Reports the end once; {@code cause} null for a clean close. */
  void end(Throwable cause) {
    MessageChannel.Receiver r = receiver;
    synchronized (this) {
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      if (r != null) {
        r.onClosed(cause);
      }
    }
  }
}
