package dev.aegis.chain;

import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.Response;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The answer to a message that went through the chain: a response available now, one that will arrive later, or
 * nothing (notifications are never answered).
 *
 * <pre>{@code
 * Reply reply = chain.proceed(chain.message());
 * return reply.map(response -> redact(response));   // runs when the response arrives
 * }</pre>
 *
 * <p>A mapping function that throws fails closed: the response becomes a {@link JsonRpcError#BLOCKED} error.
 */
public sealed interface Reply permits Reply.Ready, Reply.Pending, Reply.Empty {

  static Reply of(Response response) {
    return new Ready(response);
  }

  /** The reply to a notification. */
  static Reply none() {
    return Empty.INSTANCE;
  }

  static Reply later(CompletionStage<Response> stage) {
    return new Pending(stage.toCompletableFuture());
  }

  /** An error reply to {@code message}, which must be a request. */
  static Reply error(Message message, int code, String text) {
    if (message instanceof Request r) {
      return new Ready(Response.error(r.id(), JsonRpcError.of(code, text)));
    }
    return none();
  }

  /** Transforms the response when it is there; the empty reply stays empty. */
  Reply map(UnaryOperator<Response> f);

  /** Calls {@code action} with the response once there (never for an empty reply). */
  void whenReady(Consumer<Response> action);

  /** A response available now. */
  record Ready(Response response) implements Reply {
    public Ready {
      if (response == null) {
        throw new IllegalArgumentException("ready reply needs a response");
      }
    }

    @Override
    public Reply map(UnaryOperator<Response> f) {
      return new Ready(Replies.apply(f, response));
    }

    @Override
    public void whenReady(Consumer<Response> action) {
      action.accept(response);
    }
  }

  /** A response that arrives later; the future never completes exceptionally (failures become error responses). */
  record Pending(CompletableFuture<Response> future) implements Reply {
    public Pending {
      if (future == null) {
        throw new IllegalArgumentException("pending reply needs a future");
      }
    }

    @Override
    public Reply map(UnaryOperator<Response> f) {
      return new Pending(future.thenApply(r -> Replies.apply(f, r)));
    }

    @Override
    public void whenReady(Consumer<Response> action) {
      future.thenAccept(action);
    }
  }

  /** No response: the message was a notification. */
  final class Empty implements Reply {
    static final Empty INSTANCE = new Empty();

    private Empty() {}

    @Override
    public Reply map(UnaryOperator<Response> f) {
      return this;
    }

    @Override
    public void whenReady(Consumer<Response> action) {}

    @Override
    public String toString() {
      return "Reply.none()";
    }
  }
}
