package dev.aegis.chain;

import dev.aegis.protocol.Message;

/** What an {@link Interceptor} sees: the exchange so far and a way to pass the message on. */
public interface Chain {

  /** The exchange this message belongs to: session, direction, target. */
  Exchange exchange();

  /** The message as the previous link passed it on (a {@code Request} or a {@code Notification}). */
  Message message();

  /**
   * Passes the message to the next link and returns its reply. May be called at most once per link.
   *
   * @throws IllegalStateException when called twice, or past the terminal link
   */
  Reply proceed(Message message);
}
