package dev.aegis.transport.http;

import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.RequestId;
import dev.aegis.transport.ClientPort;
import dev.aegis.transport.ServerSession;
import java.nio.ByteBuffer;
import java.util.List;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import tools.jackson.databind.JsonNode;

/**
 * One POST whose requests wait for their responses. The fast path: the first message for the POST is its (only)
 * response, written as {@code application/json} (a batch waits for all its responses and gets an array). When
 * something else comes first (progress, a log message, a server-initiated request) the POST becomes a
 * {@code text/event-stream} that carries each message and ends after the last response.
 *
 * <p>For a stateless (2026-07-28) request the exchange itself is the {@link ClientPort} of the gateway's per-request
 * view; a session's messages reach it through {@link HttpSession#send}.
 */
final class PostExchange implements ClientPort {
  static final HttpField JSON = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/json");
  private static final byte[] OPEN_ARRAY = {'['};

  private enum Mode { PENDING, SSE, DONE }

  private final StreamableHttpServer server;
  private final HttpSession session;
  private final Request request;
  private final Response response;
  private final Callback callback;
  private final RequestId[] ids;
  private final boolean[] answered;
  private final byte[][] answers;
  private final boolean batch;
  private final boolean acceptsJson;
  private final boolean acceptsSse;
  private final long started = System.nanoTime();
  private int remaining;
  private Mode mode = Mode.PENDING;
  private EventStream stream;
  private volatile ServerSession view;
  /** Answers known before the session saw anything (a batch's invalid elements), written with the others. */
  private final List<byte[]> extra = new java.util.ArrayList<>();

  /**
   * @param session the session, or null for a stateless request
   */
  PostExchange(StreamableHttpServer server, HttpSession session, Request request, Response response,
      Callback callback, List<RequestId> ids, boolean batch, boolean acceptsJson, boolean acceptsSse) {
    this.server = server;
    this.session = session;
    this.request = request;
    this.response = response;
    this.callback = callback;
    this.ids = ids.toArray(RequestId[]::new);
    this.answered = new boolean[this.ids.length];
    this.answers = batch ? new byte[this.ids.length][] : null;
    this.remaining = this.ids.length;
    this.batch = batch;
    this.acceptsJson = acceptsJson;
    this.acceptsSse = acceptsSse;
    request.addIdleTimeoutListener(timeout -> false); // a long call is not an idle connection; keep-alives check
    request.addFailureListener(this::clientGone);
    server.waiting().add(this);
  }

  /** Error answers for a batch's invalid elements; call before any message is delivered. */
  synchronized void alsoAnswer(List<dev.aegis.protocol.Response> errors) {
    for (dev.aegis.protocol.Response e : errors) {
      extra.add(server.codec().encode(e));
    }
  }

  /** The gateway's per-request view, for a stateless request; closed when the exchange ends. */
  void view(ServerSession v) {
    this.view = v;
  }

  /** Stateless requests: the gateway's messages for this request. */
  @Override
  public void send(Message message, RequestId related) {
    if (!offer(message) && !isDone()) {
      server.log().accept("dropped a " + kind(message) + " for a stateless request: the client accepts no SSE");
    }
  }

  private synchronized boolean isDone() {
    return mode == Mode.DONE;
  }

  /**
   * Takes a message for this POST. Returns false when it cannot go down this POST (the client does not accept SSE
   * and the message is not a response), so the caller routes it elsewhere.
   */
  boolean offer(Message message) {
    byte[] json = server.codec().encode(message);
    boolean ended = false;
    synchronized (this) {
      int i = message instanceof dev.aegis.protocol.Response r ? unanswered(r.id()) : -1;
      if (mode == Mode.DONE) {
        return i >= 0 || message instanceof dev.aegis.protocol.Response;
      }
      if (i >= 0) {
        answered[i] = true;
        remaining--;
        if (session != null) {
          session.pending.remove(ids[i], this);
        }
        if (mode == Mode.PENDING && acceptsJson) {
          if (!batch) {
            writeJson(json, statusOf(message));
            ended = true;
          } else {
            answers[i] = json;
            if (remaining == 0) {
              writeJsonArray();
              ended = true;
            }
          }
        } else {
          if (mode == Mode.PENDING) {
            toSse();
          }
          stream.append(json);
          if (remaining == 0) {
            mode = Mode.DONE;
            stream.finish();
            ended = true;
          }
        }
      } else {
        if (mode == Mode.PENDING) {
          if (!acceptsSse) {
            return false;
          }
          toSse();
        }
        stream.append(json);
      }
    }
    if (ended) {
      ended();
    }
    return true;
  }

  /** The client cancelled this request ({@code notifications/cancelled}): no response will come for it. */
  void cancelled(RequestId id) {
    boolean ended = false;
    synchronized (this) {
      int i = unanswered(id);
      if (i < 0 || mode == Mode.DONE) {
        return;
      }
      answered[i] = true;
      remaining--;
      if (session != null) {
        session.pending.remove(id, this);
      }
      if (remaining == 0) {
        ended = true;
        if (mode == Mode.SSE) {
          mode = Mode.DONE;
          stream.finish();
        } else if (batch && hasAnswers()) {
          writeJsonArray();
        } else {
          mode = Mode.DONE;
          response.setStatus(202);
          response.write(true, BufferUtil.EMPTY_BUFFER, callback);
        }
      }
    }
    if (ended) {
      ended();
    }
  }

  /** The session ended: every request still open gets an error saying why. */
  void abandon(String why) {
    RequestId[] open;
    synchronized (this) {
      open = new RequestId[remaining];
      int n = 0;
      for (int i = 0; i < ids.length; i++) {
        if (!answered[i]) {
          open[n++] = ids[i];
        }
      }
    }
    for (RequestId id : open) {
      offer(dev.aegis.protocol.Response.error(id, JsonRpcError.of(JsonRpcError.SESSION_CLOSED, why)));
    }
  }

  /** Called periodically: a call that takes long moves to SSE (when allowed) so keep-alives can flow. */
  void heartbeat(long now, long intervalNanos) {
    synchronized (this) {
      if (mode != Mode.PENDING || !acceptsSse || now - started < intervalNanos) {
        return;
      }
      toSse();
    }
  }

  private void toSse() {
    mode = Mode.SSE;
    stream = session != null ? session.newRequestStream()
        : new EventStream("s", false, 0, 0, s -> streamLost(), server.log());
    stream.attach(() -> new SseSink(request, response, callback, server.liveSinks()), -1, false);
    if (batch) {
      for (byte[] a : extra) {
        stream.append(a);
      }
      for (byte[] a : answers) {
        if (a != null) {
          stream.append(a);
        }
      }
    }
  }

  private void writeJson(byte[] json, int status) {
    mode = Mode.DONE;
    response.setStatus(status);
    response.getHeaders().put(JSON).put(HttpHeader.CONTENT_LENGTH, json.length);
    response.write(true, ByteBuffer.wrap(json), callback);
  }

  private void writeJsonArray() {
    mode = Mode.DONE;
    int total = 1;
    for (byte[] a : answers) {
      total += a == null ? 0 : a.length + 1;
    }
    for (byte[] a : extra) {
      total += a.length + 1;
    }
    byte[] all = new byte[Math.max(total, 2)];
    System.arraycopy(OPEN_ARRAY, 0, all, 0, 1);
    int at = 1;
    java.util.List<byte[]> parts = new java.util.ArrayList<>(extra);
    parts.addAll(java.util.Arrays.asList(answers));
    for (byte[] a : parts) {
      if (a != null) {
        if (at > 1) {
          all[at++] = ',';
        }
        System.arraycopy(a, 0, all, at, a.length);
        at += a.length;
      }
    }
    all[at++] = ']';
    response.setStatus(200);
    response.getHeaders().put(JSON).put(HttpHeader.CONTENT_LENGTH, at);
    response.write(true, ByteBuffer.wrap(all, 0, at), callback);
  }

  private boolean hasAnswers() {
    for (byte[] a : answers) {
      if (a != null) {
        return true;
      }
    }
    return false;
  }

  /** A stateless SSE response broke: closing the stream is the client's cancellation. */
  private void streamLost() {
    boolean ended;
    synchronized (this) {
      ended = mode != Mode.DONE;
      mode = Mode.DONE;
    }
    if (ended) {
      ended();
    }
  }

  private void clientGone(Throwable cause) {
    if (session == null) {
      streamLost();
    }
    // a session's request stays open: its events are kept for a resumption, a late JSON answer is dropped
  }

  private void ended() {
    server.waiting().remove(this);
    ServerSession v = view;
    if (v != null) {
      view = null;
      try {
        v.close();
      } catch (RuntimeException e) {
        server.log().accept("closing a stateless view failed: " + e);
      }
    }
  }

  private int unanswered(RequestId id) {
    if (id == null) {
      return -1;
    }
    for (int i = 0; i < ids.length; i++) {
      if (!answered[i] && ids[i].equals(id)) {
        return i;
      }
    }
    return -1;
  }

  /** Stateless requests map the 2026-07-28 protocol errors to HTTP statuses; everything else is 200. */
  private int statusOf(Message m) {
    if (session != null || !(m instanceof dev.aegis.protocol.Response r) || !r.isError()) {
      return 200;
    }
    JsonNode code = r.json().path("error").path("code");
    return httpStatus(code.isIntegralNumber() ? code.intValue() : 0);
  }

  static int httpStatus(int jsonRpcCode) {
    return switch (jsonRpcCode) {
      case JsonRpcError.PARSE_ERROR, JsonRpcError.INVALID_REQUEST, JsonRpcError.HEADER_MISMATCH,
          JsonRpcError.MISSING_CAPABILITY, JsonRpcError.UNSUPPORTED_VERSION -> 400;
      case JsonRpcError.METHOD_NOT_FOUND -> 404;
      default -> 200;
    };
  }

  private static String kind(Message m) {
    return m instanceof dev.aegis.protocol.Request r ? "request " + r.method()
        : m instanceof dev.aegis.protocol.Notification n ? "notification " + n.method() : "response";
  }
}
