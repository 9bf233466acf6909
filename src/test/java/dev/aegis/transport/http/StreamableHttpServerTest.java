package dev.aegis.transport.http;

import dev.aegis.protocol.JsonRpcError;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.protocol.Codec;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.Notification;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.RequestId;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class StreamableHttpServerTest {
  private static final String INIT = """
      {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",\
      "capabilities":{},"clientInfo":{"name":"test","version":"1"}}}""";
  private static final String BOTH = "application/json, text/event-stream";

  private final Codec codec = new Codec(64 * 1024);
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final EchoSessions sessions = new EchoSessions();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private StreamableHttpServer server;
  private URI uri;

  @BeforeEach
  void start() throws Exception {
    server = new StreamableHttpServer(new InetSocketAddress("127.0.0.1", 0), "/mcp", codec, sessions,
        List.of("https://app.example.com"), log::add);
    server.start();
    uri = server.uri();
  }

  @AfterEach
  void stop() {
    server.close();
    sessions.shutdown();
  }

  // ---------------------------------------------------------------------------------------------- sessions

  @Test
  void initializeOpensSessionAndAnswersWithJson() throws Exception {
    HttpResponse<String> r = post(INIT, null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    String sid = r.headers().firstValue("mcp-session-id").orElseThrow();
    assertThat(sessions.byId).containsKey(sid);
    JsonNode body = json(r.body());
    assertThat(body.path("id").intValue()).isEqualTo(1);
    assertThat(body.path("result").path("protocolVersion").stringValue()).isEqualTo("2025-06-18");
    assertThat(server.sessionCount()).isEqualTo(1);
  }

  @Test
  void requestWithoutSessionIdIsRefusedWith400() throws Exception {
    HttpResponse<String> r = post(call(2, "tools/list"), null);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r.body()).path("error").path("message").stringValue()).contains("Mcp-Session-Id");
  }

  @Test
  void unknownSessionIdIs404() throws Exception {
    HttpResponse<String> r = post(call(2, "tools/list"), "no-such-session");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(json(r.body()).path("error").isObject()).isTrue();
  }

  @Test
  void requestInSessionGetsJsonFastPath() throws Exception {
    String sid = initialize();
    HttpResponse<String> r = post(call(7, "custom/echo"), sid);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(json(r.body()).path("result").path("method").stringValue()).isEqualTo("custom/echo");
    assertThat(json(r.body()).path("id").intValue()).isEqualTo(7);
  }

  @Test
  void notificationOnlyPostIsAccepted() throws Exception {
    String sid = initialize();
    HttpResponse<String> r = post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", sid);
    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(r.body()).isEmpty();
    Message m = sessions.byId.get(sid).received.poll(5, TimeUnit.SECONDS);
    assertThat(m).isInstanceOf(Request.class); // initialize came first
    assertThat(sessions.byId.get(sid).received.poll(5, TimeUnit.SECONDS)).isInstanceOf(Notification.class);
  }

  @Test
  void batchGetsOneArrayWithEveryResponse() throws Exception {
    String sid = initialize();
    HttpResponse<String> r = post("[" + call(10, "a/b") + "," + call(11, "c/d") + "]", sid);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = json(r.body());
    assertThat(body.isArray()).isTrue();
    assertThat(body.size()).isEqualTo(2);
    assertThat(body.get(0).path("id").intValue()).isEqualTo(10);
    assertThat(body.get(1).path("result").path("method").stringValue()).isEqualTo("c/d");
  }

  @Test
  void batchAnswersEachInvalidElementAndServesTheValidOnes() throws Exception {
    String sid = initialize();
    HttpResponse<String> r = post("[" + call(12, "a/b") + ",{\"jsonrpc\":\"2.0\",\"id\":{}},42]", sid);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = json(r.body());
    assertThat(body.size()).isEqualTo(3);
    long errors = 0;
    boolean served = false;
    for (JsonNode item : body) {
      if (item.has("error")) {
        assertThat(item.path("error").path("code").intValue()).isEqualTo(JsonRpcError.INVALID_REQUEST);
        errors++;
      } else {
        served = item.path("id").intValue() == 12;
      }
    }
    assertThat(errors).isEqualTo(2);
    assertThat(served).isTrue();
  }

  @Test
  void batchOfOnlyInvalidElementsIsAnArrayOfErrors() throws Exception {
    String sid = initialize();
    HttpResponse<String> r = post("[1,2]", sid);
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode body = json(r.body());
    assertThat(body.isArray()).isTrue();
    assertThat(body.size()).isEqualTo(2);
    assertThat(body.get(1).path("error").path("code").intValue()).isEqualTo(JsonRpcError.INVALID_REQUEST);
  }

  @Test
  void deleteClosesTheSession() throws Exception {
    String sid = initialize();
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).DELETE().header("Mcp-Session-Id", sid).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(sessions.byId.get(sid).closed.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(post(call(3, "tools/list"), sid).statusCode()).isEqualTo(404);
  }

  // ---------------------------------------------------------------------------------------------- refusals

  @Test
  void foreignOriginIsForbidden() throws Exception {
    HttpResponse<String> r = send(base(INIT, null).header("Origin", "http://evil.example.com").build());
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(sessions.opened).isEmpty();
  }

  @Test
  void loopbackAndConfiguredOriginsAreAllowed() throws Exception {
    assertThat(send(base(INIT, null).header("Origin", "http://localhost:6274").build()).statusCode()).isEqualTo(200);
    assertThat(send(base(INIT, null).header("Origin", "http://[::1]:1").build()).statusCode()).isEqualTo(200);
    assertThat(send(base(INIT, null).header("Origin", "https://app.example.com").build()).statusCode())
        .isEqualTo(200);
  }

  @Test
  void oversizeBodyIs413WithoutReadingIt() throws Exception {
    byte[] big = ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":{\"p\":\"" + "a".repeat(100_000)
        + "\"}}").getBytes();
    HttpResponse<String> declared = send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
        .header("Accept", BOTH).POST(HttpRequest.BodyPublishers.ofByteArray(big)).build());
    assertThat(declared.statusCode()).isEqualTo(413);
    assertThat(json(declared.body()).path("error").path("code").intValue()).isEqualTo(-32013);
    HttpResponse<String> chunked = send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
        .header("Accept", BOTH)
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build());
    assertThat(chunked.statusCode()).isEqualTo(413);
  }

  @Test
  void malformedJsonIs400WithParseError() throws Exception {
    HttpResponse<String> r = post("{\"jsonrpc\":", null);
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode body = json(r.body());
    assertThat(body.path("error").path("code").intValue()).isEqualTo(-32700);
    assertThat(body.path("id").isNull()).isTrue();
  }

  @Test
  void wrongMethodIs405AndOtherPathIs404() throws Exception {
    HttpResponse<String> put = send(HttpRequest.newBuilder(uri).PUT(HttpRequest.BodyPublishers.ofString("{}"))
        .build());
    assertThat(put.statusCode()).isEqualTo(405);
    assertThat(put.headers().firstValue("allow")).hasValue("GET, POST, DELETE");
    HttpResponse<String> other = send(HttpRequest.newBuilder(uri.resolve("/other")).GET().build());
    assertThat(other.statusCode()).isEqualTo(404);
  }

  @Test
  void unknownProtocolVersionHeaderIs400() throws Exception {
    String sid = initialize();
    HttpResponse<String> r = send(base(call(4, "tools/list"), sid).header("MCP-Protocol-Version", "1999-01-01")
        .build());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r.body()).path("error").path("data").path("requested").stringValue()).isEqualTo("1999-01-01");
  }

  // ---------------------------------------------------------------------------------------------- streams

  @Test
  void relatedNotificationBeforeResponseUpgradesToSse() throws Exception {
    String sid = initialize();
    try (SseLines sse = stream(base(call(5, "slow/progress"), sid).build())) {
      assertThat(sse.response.statusCode()).isEqualTo(200);
      assertThat(sse.response.headers().firstValue("content-type")).hasValue("text/event-stream");
      SseLines.Event progress = sse.next();
      assertThat(json(progress.data()).path("method").stringValue()).isEqualTo("notifications/progress");
      assertThat(progress.id()).isNotBlank();
      SseLines.Event answer = sse.next();
      assertThat(json(answer.data()).path("id").intValue()).isEqualTo(5);
      assertThat(answer.id()).isNotEqualTo(progress.id());
      assertThat(sse.next()).isSameAs(SseLines.END);
    }
  }

  @Test
  void clientThatAcceptsOnlyJsonGetsProgressOnTheGetStream() throws Exception {
    String sid = initialize();
    HttpResponse<String> r = send(base(call(5, "slow/progress"), sid).setHeader("Accept", "application/json")
        .build());
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    try (SseLines get = stream(getStream(sid).build())) {
      assertThat(json(get.next().data()).path("method").stringValue()).isEqualTo("notifications/progress");
    }
  }

  @Test
  void getStreamCarriesUnrelatedMessagesIncludingThoseBufferedBeforeIt() throws Exception {
    String sid = initialize();
    EchoSessions.EchoSession session = sessions.byId.get(sid);
    session.push(Notification.of("notifications/early", null));
    try (SseLines get = stream(getStream(sid).build())) {
      assertThat(get.response.statusCode()).isEqualTo(200);
      assertThat(json(get.next().data()).path("method").stringValue()).isEqualTo("notifications/early");
      HttpResponse<String> r = post(call(6, "notify/unrelated"), sid);
      assertThat(json(r.body()).path("id").intValue()).isEqualTo(6);
      SseLines.Event e = get.next();
      assertThat(json(e.data()).path("method").stringValue()).isEqualTo("notifications/tools/list_changed");
      assertThat(e.id()).startsWith(HttpSession.STANDALONE + "-");
    }
  }

  @Test
  void secondGetStreamIsAConflict() throws Exception {
    String sid = initialize();
    try (SseLines first = stream(getStream(sid).build())) {
      assertThat(first.response.statusCode()).isEqualTo(200);
      HttpResponse<String> second = send(getStream(sid).build());
      assertThat(second.statusCode()).isEqualTo(409);
    }
  }

  @Test
  void lastEventIdResumesABrokenRequestStream() throws Exception {
    String sid = initialize();
    EchoSessions.EchoSession session = sessions.byId.get(sid);
    String progressId;
    try (SseLines sse = stream(base(call(9, "hold"), sid).build())) {
      SseLines.Event progress = sse.next();
      progressId = progress.id();
      assertThat(json(progress.data()).path("method").stringValue()).isEqualTo("notifications/progress");
    } // the client goes away mid-call
    session.release(RequestId.of(9));
    try (SseLines resumed = stream(getStream(sid).header("Last-Event-ID", progressId).build())) {
      assertThat(resumed.response.statusCode()).isEqualTo(200);
      SseLines.Event answer = resumed.next();
      assertThat(json(answer.data()).path("id").intValue()).isEqualTo(9);
      assertThat(json(answer.data()).path("result").path("method").stringValue()).isEqualTo("hold");
      assertThat(resumed.next()).isSameAs(SseLines.END);
    }
  }

  @Test
  void lastEventIdResumesBeforeTheResponseExistsAndWaitsForIt() throws Exception {
    String sid = initialize();
    EchoSessions.EchoSession session = sessions.byId.get(sid);
    String progressId;
    try (SseLines sse = stream(base(call(12, "hold"), sid).build())) {
      progressId = sse.next().id();
    }
    try (SseLines resumed = stream(getStream(sid).header("Last-Event-ID", progressId).build())) {
      assertThat(resumed.response.statusCode()).isEqualTo(200);
      session.release(RequestId.of(12));
      assertThat(json(resumed.next().data()).path("id").intValue()).isEqualTo(12);
      assertThat(resumed.next()).isSameAs(SseLines.END);
    }
  }

  @Test
  void lastEventIdReplaysTheStandaloneStream() throws Exception {
    String sid = initialize();
    EchoSessions.EchoSession session = sessions.byId.get(sid);
    String firstId;
    try (SseLines get = stream(getStream(sid).build())) {
      session.push(Notification.of("notifications/one", null));
      firstId = get.next().id();
    }
    session.push(Notification.of("notifications/two", null));
    try (SseLines again = stream(getStream(sid).header("Last-Event-ID", firstId).build())) {
      assertThat(json(again.next().data()).path("method").stringValue()).isEqualTo("notifications/two");
    }
  }

  // ---------------------------------------------------------------------------------------------- stateless

  @Test
  void statelessRequestWithMatchingHeadersIsServedWithoutSession() throws Exception {
    HttpResponse<String> r = send(stateless(toolCall(20, "echo"), "tools/call", "echo").build());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("mcp-session-id")).isEmpty();
    assertThat(json(r.body()).path("result").path("content").get(0).path("text").stringValue()).startsWith("echo");
    assertThat(sessions.statelessReceived).hasSize(1);
    assertThat(sessions.statelessClosed.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(sessions.opened).isEmpty();
  }

  @Test
  void statelessHeaderMismatchIs400WithHeaderMismatchCode() throws Exception {
    HttpResponse<String> method = send(stateless(toolCall(21, "echo"), "tools/list", "echo").build());
    assertThat(method.statusCode()).isEqualTo(400);
    assertThat(json(method.body()).path("error").path("code").intValue()).isEqualTo(-32020);
    assertThat(json(method.body()).path("id").intValue()).isEqualTo(21);
    HttpResponse<String> name = send(stateless(toolCall(22, "echo"), "tools/call", "other").build());
    assertThat(name.statusCode()).isEqualTo(400);
    assertThat(json(name.body()).path("error").path("code").intValue()).isEqualTo(-32020);
    HttpResponse<String> missing = send(stateless(toolCall(23, "echo"), "tools/call", null).build());
    assertThat(missing.statusCode()).isEqualTo(400);
    HttpResponse<String> encoded = send(stateless(toolCall(24, "echo"), "tools/call", "=?base64?ZWNobw==?=")
        .build());
    assertThat(encoded.statusCode()).isEqualTo(200);
    assertThat(sessions.statelessReceived).hasSize(1);
  }

  @Test
  void statelessHeaderWithoutMetaIs400InvalidParams() throws Exception {
    HttpResponse<String> r = send(base(call(25, "tools/list"), null).header("MCP-Protocol-Version", "2026-07-28")
        .header("Mcp-Method", "tools/list").build());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r.body()).path("error").path("code").intValue()).isEqualTo(-32602);
  }

  // ---------------------------------------------------------------------------------------------- helpers

  private String initialize() throws Exception {
    HttpResponse<String> r = post(INIT, null);
    assertThat(r.statusCode()).isEqualTo(200);
    return r.headers().firstValue("mcp-session-id").orElseThrow();
  }

  private static String call(int id, String method) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":{}}";
  }

  private static String toolCall(int id, String name) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + name
        + "\",\"arguments\":{},\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
        + "\"io.modelcontextprotocol/clientCapabilities\":{}}}}";
  }

  private HttpRequest.Builder stateless(String body, String method, String name) {
    HttpRequest.Builder b = base(body, null).header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", method);
    return name == null ? b : b.header("Mcp-Name", name);
  }

  private HttpRequest.Builder base(String body, String sid) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
        .header("Accept", BOTH).POST(HttpRequest.BodyPublishers.ofString(body));
    return sid == null ? b : b.header("Mcp-Session-Id", sid);
  }

  private HttpRequest.Builder getStream(String sid) {
    return HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").header("Mcp-Session-Id", sid).GET();
  }

  private HttpResponse<String> post(String body, String sid) throws Exception {
    return send(base(body, sid).build());
  }

  private HttpResponse<String> send(HttpRequest r) throws Exception {
    return http.sendAsync(r, HttpResponse.BodyHandlers.ofString()).get(5, TimeUnit.SECONDS);
  }

  private SseLines stream(HttpRequest r) throws Exception {
    return new SseLines(http.sendAsync(r, HttpResponse.BodyHandlers.ofInputStream()).get(5, TimeUnit.SECONDS));
  }

  private JsonNode json(String s) {
    return codec.mapper().readTree(s);
  }
}
