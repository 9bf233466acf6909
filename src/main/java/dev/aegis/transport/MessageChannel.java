package dev.aegis.transport;

import dev.aegis.protocol.Message;
import dev.aegis.protocol.ProtocolException;
import java.io.IOException;

/**
 * A two-way pipe of JSON-RPC messages to one peer: a child process, the gateway's own stdin/stdout, or a remote
 * server over HTTP.
 *
 * <pre>{@code
 * channel.start(new MessageChannel.Receiver() { ... });
 * channel.send(Request.of(RequestId.of(1), "ping", null));
 * }</pre>
 */
public interface MessageChannel extends AutoCloseable {

  /** Starts delivering inbound messages to the receiver (on a thread of the channel's). Call once. */
  void start(Receiver receiver) throws IOException;

  /** Sends one message. Thread-safe. */
  void send(Message message) throws IOException;

  /** A short description for logs, e.g. {@code stdio:npx server-everything} or an URL. */
  String describe();

  /** Closes the channel; {@link Receiver#onClosed} follows. Idempotent. */
  @Override
  void close();

  /** Gets what the peer sends. Called from one thread at a time per channel. */
  interface Receiver {
    void onMessage(Message message);

    /** Bytes that were not a valid message; the channel stays open. */
    void onInvalid(ProtocolException error);

    /** The peer is gone: EOF, process exit, or {@link #close()}. {@code cause} is null for a clean close. */
    void onClosed(Throwable cause);
  }
}
