package dev.aegis.transport.http;

import dev.aegis.protocol.Codec;
import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.McpMethod;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.Notification;
import dev.aegis.protocol.ProtocolException;
import dev.aegis.protocol.ProtocolVersion;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.RequestId;
import dev.aegis.transport.Caller;
import dev.aegis.transport.ServerSession;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Jetty handler behind {@link StreamableHttpServer}: checks origin, method, headers and body, then hands the
 * messages to a session (or, for 2026-07-28, to a stateless view) and leaves the answer to a {@link PostExchange}
 * or an {@link EventStream}. Nothing here blocks on the gateway's answer.
 */
final class McpEndpoint extends Handler.Abstract {
  private static final HttpField ALLOW = new PreEncodedHttpField(HttpHeader.ALLOW, "GET, POST, DELETE");
  private static final HttpField CLOSE = new PreEncodedHttpField(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());

  private final StreamableHttpServer server;
  private final Codec codec;
  private static final String CALLER = "dev.aegis.caller";

  McpEndpoint(StreamableHttpServer server) {
    this.server = server;
    this.codec = server.codec();
  }

  @Override
  public boolean handle(org.eclipse.jetty.server.Request request, Response response, Callback callback) {
    HttpAuth auth = server.auth();
    String path = request.getHttpURI().getPath();
    if (auth != null && path != null && path.startsWith("/.well-known/") && request.getMethod().equals("GET")) {
      String doc = auth.wellKnown(path);
      if (doc != null) {
        byte[] body = doc.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        response.setStatus(200);
        response.getHeaders().put(PostExchange.JSON).put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
      }
    }
    if (!server.path().equals(request.getHttpURI().getPath())) {
      fail(response, callback, 404, null, JsonRpcError.INVALID_REQUEST,
          "Not Found: the MCP endpoint is " + server.path());
      return true;
    }
    HttpFields h = request.getHeaders();
    String origin = h.get(HttpHeader.ORIGIN);
    if (origin != null && !server.origins().allowsOrigin(origin)) {
      fail(response, callback, 403, null, JsonRpcError.INVALID_REQUEST,
          "Forbidden: origin " + clip(origin) + " is not allowed (loopback origins and configured ones are)");
      return true;
    }
    if (!server.origins().allowsHost(h.get(HttpHeader.HOST))) {
      fail(response, callback, 403, null, JsonRpcError.INVALID_REQUEST,
          "Forbidden: host " + clip(h.get(HttpHeader.HOST)) + " is not a loopback name");
      return true;
    }
    if (auth != null) {
      // every request, not only initialize: a session id alone must never stand in for a credential
      HttpAuth.Outcome who = auth.authenticate(h.get(HttpHeader.AUTHORIZATION));
      if (!who.allowed()) {
        if (who.wwwAuthenticate() != null) {
          response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, who.wwwAuthenticate());
        }
        fail(response, callback, who.status(), null, JsonRpcError.INVALID_REQUEST,
            (who.status() == 403 ? "Forbidden: " : "Unauthorized: ") + who.message());
        return true;
      }
      request.setAttribute(CALLER, who.caller());
    }
    switch (request.getMethod()) {
      case "POST" -> post(request, response, callback, h);
      case "GET" -> get(request, response, callback, h);
      case "DELETE" -> delete(response, callback, h, (Caller) request.getAttribute(CALLER));
      default -> {
        response.getHeaders().put(ALLOW);
        fail(response, callback, 405, null, JsonRpcError.INVALID_REQUEST,
            "Method Not Allowed: " + clip(request.getMethod()) + " (use GET, POST or DELETE)");
      }
    }
    return true;
  }

  // ---------------------------------------------------------------------------------------------------- POST

  private void post(org.eclipse.jetty.server.Request request, Response response, Callback callback, HttpFields h) {
    String type = h.get(HttpHeader.CONTENT_TYPE);
    if (type != null && !type.toLowerCase(Locale.ROOT).contains("json")) {
      fail(response, callback, 415, null, JsonRpcError.INVALID_REQUEST,
          "Unsupported Media Type: Content-Type must be application/json, was " + clip(type));
      return;
    }
    String accept = h.get(HttpHeader.ACCEPT);
    boolean json = accept == null || accepts(accept, "application/json", "application/*");
    boolean sse = accept == null || accepts(accept, "text/event-stream", "text/*");
    if (!json && !sse) {
      fail(response, callback, 406, null, JsonRpcError.INVALID_REQUEST,
          "Not Acceptable: Accept must include application/json or text/event-stream, was " + clip(accept));
      return;
    }
    int max = codec.maxBytes();
    long declared = request.getLength();
    if (declared > max) {
      tooLarge(response, callback, declared);
      return;
    }
    BodyReader.read(request, max, new BodyReader.Target() {
      @Override
      public void body(byte[] bytes, int offset, int length) {
        onBody(request, response, callback, h, bytes, offset, length, json, sse);
      }

      @Override
      public void tooLarge(long atLeast) {
        McpEndpoint.this.tooLarge(response, callback, atLeast);
      }

      @Override
      public void failed(Throwable cause) {
        callback.failed(cause);
      }
    });
  }

  private void tooLarge(Response response, Callback callback, long size) {
    response.getHeaders().put(CLOSE);
    fail(response, callback, 413, null, JsonRpcError.MESSAGE_TOO_LARGE, "Payload Too Large: a body of "
        + (size < 0 ? "unknown size" : "at least " + size + " bytes") + " exceeds the limit of "
        + codec.maxBytes());
  }

  private void onBody(org.eclipse.jetty.server.Request request, Response response, Callback callback, HttpFields h,
      byte[] bytes, int offset, int length, boolean json, boolean sse) {
    List<Message> messages = new ArrayList<>();
    List<ProtocolException> bad = new ArrayList<>();
    codec.decodeEach(bytes, offset, length, new Codec.Sink() {
      @Override
      public void message(Message message) {
        messages.add(message);
      }

      @Override
      public void invalid(ProtocolException error) {
        bad.add(error);
      }
    });
    boolean batch = startsWithBracket(bytes, offset, length);
    if (!bad.isEmpty() && (!batch || messages.isEmpty() && bad.size() == 1 && wholeBody(bad.get(0)))) {
      fail(response, callback, 400, bad.get(0).id(), bad.get(0).error());
      return;
    }
    List<dev.aegis.protocol.Response> errors = new ArrayList<>(bad.size());
    for (ProtocolException e : bad) {
      errors.add(dev.aegis.protocol.Response.error(e.id(), e.error()));
    }
    if (!errors.isEmpty() && messages.stream().noneMatch(m -> m instanceof Request)) {
      // a batch with nothing to answer but its invalid elements: one error each, nothing delivered
      failBatch(response, callback, errors);
      return;
    }
    String version = McpHeaders.trim(h.get(McpHeaders.PROTOCOL_VERSION));
    String sid = McpHeaders.trim(h.get(McpHeaders.SESSION_ID));
    Message first = messages.get(0);
    boolean statelessHeader = McpHeaders.STATELESS.equals(version);
    if (batch && (statelessHeader || messages.stream().anyMatch(McpHeaders::claimsStateless))) {
      fail(response, callback, 400, null, JsonRpcError.INVALID_REQUEST,
          "Invalid Request: batches are not allowed in " + McpHeaders.STATELESS);
      return;
    }
    if (!batch && McpHeaders.claimsStateless(first)) {
      statelessRequest(request, response, callback, h, (Request) first, json, sse);
      return;
    }
    if (statelessHeader && first instanceof Request r) {
      if (r.method().equals(McpMethod.INITIALIZE.wire())) {
        fail(response, callback, 400, r.id(), JsonRpcError.HEADER_MISMATCH, "Header mismatch: initialize "
            + "cannot be sent with " + McpHeaders.PROTOCOL_VERSION + ": " + McpHeaders.STATELESS);
      } else {
        fail(response, callback, 400, r.id(), JsonRpcError.INVALID_PARAMS, "Invalid _meta: a "
            + McpHeaders.STATELESS + " request must carry " + McpHeaders.META_VERSION + " in params._meta");
      }
      return;
    }
    if (statelessHeader && sid == null && first instanceof Notification n) {
      ServerSession view = server.sessions().stateless((m, related) -> { });
      try {
        view.receive(n);
      } finally {
        view.close();
      }
      accepted(response, callback);
      return;
    }
    if (version != null && ProtocolVersion.of(version) == null) {
      ObjectNode data = JsonNodeFactory.instance.objectNode();
      ProtocolVersion.wireNames().forEach(data.putArray("supported")::add);
      data.put("requested", version);
      fail(response, callback, 400, null, new JsonRpcError(JsonRpcError.UNSUPPORTED_VERSION,
          "Bad Request: unsupported " + McpHeaders.PROTOCOL_VERSION + " " + clip(version), data));
      return;
    }
    sessionPost(request, response, callback, messages, errors, sid, batch, json, sse);
  }

  /** An error about the body as a whole (not JSON, too large, an empty batch), answered with one error object. */
  private static boolean wholeBody(ProtocolException e) {
    int code = e.error().code();
    return code == JsonRpcError.PARSE_ERROR || code == JsonRpcError.MESSAGE_TOO_LARGE
        || e.error().message().equals("empty batch");
  }

  private void failBatch(Response response, Callback callback, List<dev.aegis.protocol.Response> errors) {
    tools.jackson.databind.node.ArrayNode array = JsonNodeFactory.instance.arrayNode();
    errors.forEach(e -> array.add(e.json()));
    byte[] body = codec.encode(array);
    response.setStatus(400);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, java.nio.ByteBuffer.wrap(body), callback);
  }

  private void statelessRequest(org.eclipse.jetty.server.Request request, Response response, Callback callback,
      HttpFields h, Request r, boolean json, boolean sse) {
    if (server.auth() != null) {
      // sessionless requests share one upstream set; with identities each caller needs its own session so that
      // policies see who acts
      fail(response, callback, 400, r.id(), JsonRpcError.INVALID_REQUEST, "Bad Request: this gateway authenticates"
          + " callers and serves them in sessions; start one with initialize");
      return;
    }
    JsonRpcError refused = McpHeaders.check(r, h::get);
    if (refused != null) {
      fail(response, callback, 400, r.id(), refused);
      return;
    }
    PostExchange ex = new PostExchange(server, null, request, response, callback, List.of(r.id()), false, json, sse);
    try {
      ServerSession view = server.sessions().stateless(ex);
      ex.view(view);
      view.receive(r);
    } catch (RuntimeException e) {
      server.log().accept("stateless " + r.method() + " failed inside the gateway: " + e);
      ex.offer(dev.aegis.protocol.Response.error(r.id(),
          JsonRpcError.of(JsonRpcError.INTERNAL_ERROR, "Internal error: " + e.getClass().getSimpleName())));
    }
  }

  private void sessionPost(org.eclipse.jetty.server.Request request, Response response, Callback callback,
      List<Message> messages, List<dev.aegis.protocol.Response> errors, String sid, boolean batch, boolean json,
      boolean sse) {
    HttpSession s;
    if (sid == null) {
      if (messages.stream().noneMatch(m -> m instanceof Request r && r.method().equals(McpMethod.INITIALIZE.wire()))) {
        fail(response, callback, 400, null, JsonRpcError.INVALID_REQUEST,
            "Bad Request: the Mcp-Session-Id header is required (start a session with initialize)");
        return;
      }
      s = new HttpSession(server);
      Caller caller = (Caller) request.getAttribute(CALLER);
      s.caller(caller);
      try {
        ServerSession opened = caller == null ? server.sessions().open("http", s)
            : server.sessions().open("http", s, caller);
        s.attach(opened);
      } catch (IllegalStateException e) {
        fail(response, callback, 503, null, JsonRpcError.INTERNAL_ERROR, "Service Unavailable: " + e.getMessage());
        return;
      } catch (RuntimeException e) {
        server.log().accept("cannot open a session: " + e);
        fail(response, callback, 500, null, JsonRpcError.INTERNAL_ERROR, "Internal error: cannot open a session");
        return;
      }
      server.byId().put(s.id(), s);
      response.getHeaders().put(McpHeaders.SESSION_ID, s.id());
    } else {
      s = server.byId().get(sid);
      if (s == null || s.isClosed() || !s.belongsTo((Caller) request.getAttribute(CALLER))) {
        // another caller's session looks exactly like one that does not exist
        fail(response, callback, 404, null, JsonRpcError.SESSION_CLOSED, "Not Found: no session with this "
            + "Mcp-Session-Id (it expired or was deleted); start a new one with initialize");
        return;
      }
    }
    s.touch();
    List<RequestId> ids = new ArrayList<>(messages.size());
    for (Message m : messages) {
      if (m instanceof Request r) {
        ids.add(r.id());
      }
    }
    if (ids.isEmpty()) {
      for (Message m : messages) {
        deliver(s, m);
      }
      accepted(response, callback);
      return;
    }
    PostExchange ex = new PostExchange(server, s, request, response, callback, ids, batch, json, sse);
    ex.alsoAnswer(errors);
    List<RequestId> taken = null;
    for (RequestId id : ids) {
      if (s.pending.putIfAbsent(id, ex) != null) {
        taken = taken == null ? new ArrayList<>() : taken;
        taken.add(id);
      }
    }
    for (Message m : messages) {
      if (taken != null && m instanceof Request r && taken.remove(r.id())) {
        ex.offer(dev.aegis.protocol.Response.error(r.id(), JsonRpcError.of(JsonRpcError.INVALID_REQUEST,
            "Invalid Request: id " + r.id() + " is already used by a request still open in this session")));
        continue;
      }
      deliver(s, m);
    }
  }

  /** Hands one message to the session; a cancellation also releases the POST waiting for that request. */
  private void deliver(HttpSession s, Message m) {
    try {
      s.session().receive(m);
    } catch (RuntimeException e) {
      server.log().accept("session " + s.id() + ": the gateway failed on a message: " + e);
      if (m instanceof Request r) {
        s.send(dev.aegis.protocol.Response.error(r.id(), JsonRpcError.of(JsonRpcError.INTERNAL_ERROR,
            "Internal error: " + e.getClass().getSimpleName())), r.id());
      }
      return;
    }
    if (m instanceof Notification n && n.method().equals(McpMethod.CANCELLED.wire()) && n.params() != null) {
      JsonNode idNode = n.params().get("requestId");
      try {
        RequestId id = RequestId.fromJson(idNode);
        PostExchange ex = s.pending.get(id);
        if (ex != null) {
          ex.cancelled(id);
        }
      } catch (IllegalArgumentException ignored) {
        // a malformed cancellation cancels nothing
      }
    }
  }

  // ----------------------------------------------------------------------------------------------------- GET

  private void get(org.eclipse.jetty.server.Request request, Response response, Callback callback, HttpFields h) {
    String sid = McpHeaders.trim(h.get(McpHeaders.SESSION_ID));
    String version = McpHeaders.trim(h.get(McpHeaders.PROTOCOL_VERSION));
    if (sid == null) {
      if (McpHeaders.STATELESS.equals(version)) {
        response.getHeaders().put(ALLOW);
        fail(response, callback, 405, null, JsonRpcError.INVALID_REQUEST,
            "Method Not Allowed: " + McpHeaders.STATELESS + " has no GET stream (use subscriptions/listen)");
      } else {
        fail(response, callback, 400, null, JsonRpcError.INVALID_REQUEST,
            "Bad Request: the Mcp-Session-Id header is required for the GET stream");
      }
      return;
    }
    String accept = h.get(HttpHeader.ACCEPT);
    if (accept != null && !accepts(accept, "text/event-stream", "text/*")) {
      fail(response, callback, 406, null, JsonRpcError.INVALID_REQUEST,
          "Not Acceptable: the GET stream is text/event-stream, Accept was " + clip(accept));
      return;
    }
    if (version != null && ProtocolVersion.of(version) == null) {
      fail(response, callback, 400, null, JsonRpcError.UNSUPPORTED_VERSION,
          "Bad Request: unsupported " + McpHeaders.PROTOCOL_VERSION + " " + clip(version));
      return;
    }
    HttpSession s = server.byId().get(sid);
    if (s == null || s.isClosed() || !s.belongsTo((Caller) request.getAttribute(CALLER))) {
      fail(response, callback, 404, null, JsonRpcError.SESSION_CLOSED,
          "Not Found: no session with this Mcp-Session-Id (it expired or was deleted)");
      return;
    }
    s.touch();
    String last = McpHeaders.trim(h.get(McpHeaders.LAST_EVENT_ID));
    if (last != null) {
      int dash = last.lastIndexOf('-');
      EventStream stream = dash > 0 ? s.stream(last.substring(0, dash)) : null;
      long seq = dash > 0 ? parseSeq(last.substring(dash + 1)) : -1;
      if (stream != null && seq >= 0) {
        stream.attach(() -> new SseSink(request, response, callback, server.liveSinks()), seq, true);
        return;
      }
      server.log().accept("session " + s.id() + ": Last-Event-ID " + clip(last)
          + " names no stream kept here; opening the standalone stream");
    }
    boolean attached = s.standalone().attach(() -> new SseSink(request, response, callback, server.liveSinks()),
        -1, false);
    if (!attached) {
      fail(response, callback, 409, null, JsonRpcError.INVALID_REQUEST,
          "Conflict: this session already has an open GET stream");
    }
  }

  // -------------------------------------------------------------------------------------------------- DELETE

  private void delete(Response response, Callback callback, HttpFields h, Caller caller) {
    String sid = McpHeaders.trim(h.get(McpHeaders.SESSION_ID));
    if (sid == null) {
      fail(response, callback, 400, null, JsonRpcError.INVALID_REQUEST,
          "Bad Request: the Mcp-Session-Id header is required to end a session");
      return;
    }
    HttpSession s = server.byId().get(sid);
    if (s == null || !s.belongsTo(caller) || !server.byId().remove(sid, s)) {
      fail(response, callback, 404, null, JsonRpcError.SESSION_CLOSED,
          "Not Found: no session with this Mcp-Session-Id (it expired or was deleted)");
      return;
    }
    s.close("the client ended the session");
    response.setStatus(204);
    response.write(true, BufferUtil.EMPTY_BUFFER, callback);
  }

  // ------------------------------------------------------------------------------------------------- helpers

  private static void accepted(Response response, Callback callback) {
    response.setStatus(202);
    response.write(true, BufferUtil.EMPTY_BUFFER, callback);
  }

  private void fail(Response response, Callback callback, int status, RequestId id, int code, String message) {
    fail(response, callback, status, id, JsonRpcError.of(code, message));
  }

  private void fail(Response response, Callback callback, int status, RequestId id, JsonRpcError error) {
    byte[] body = codec.encode(dev.aegis.protocol.Response.error(id, error));
    response.setStatus(status);
    response.getHeaders().put(PostExchange.JSON).put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  /** Whether an Accept header allows the type (or a wildcard that covers it). */
  private static boolean accepts(String accept, String type, String wildcard) {
    String a = accept.toLowerCase(Locale.ROOT);
    return a.contains(type) || a.contains(wildcard) || a.contains("*/*");
  }

  private static boolean startsWithBracket(byte[] bytes, int offset, int length) {
    for (int i = offset; i < offset + length; i++) {
      byte b = bytes[i];
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        return b == '[';
      }
    }
    return false;
  }

  private static long parseSeq(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String clip(String s) {
    if (s == null) {
      return "(none)";
    }
    return s.length() > 100 ? s.substring(0, 100) + "…" : s;
  }
}
