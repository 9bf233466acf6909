package dev.aegis.transport.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.protocol.Codec;
import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.Notification;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.RequestId;
import dev.aegis.protocol.Response;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class StreamableHttpClientChannelTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private final Codec codec = new Codec(64 * 1024);
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final EchoSessions sessions = new EchoSessions();
  private StreamableHttpServer server;

  @BeforeEach
  void start() throws Exception {
    server = new StreamableHttpServer(new InetSocketAddress("127.0.0.1", 0), "/mcp", codec, sessions, List.of(),
        log::add);
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
    sessions.shutdown();
  }

  @Test
  void requestsGetResponsesAndTheGetStreamDeliversServerMessages() throws Exception {
    StreamableHttpClientChannel channel = new StreamableHttpClientChannel(server.uri(), Map.of("X-Token", "t"),
        codec, log::add);
    RecordingReceiver receiver = new RecordingReceiver();
    channel.start(receiver);

    Response init = receiver.call(channel, 1, "initialize", initParams());
    assertThat(init.result().path("protocolVersion").stringValue()).isEqualTo("2025-06-18");
    EchoSessions.EchoSession session = sessions.opened.poll(5, TimeUnit.SECONDS);
    assertThat(session).isNotNull();

    channel.send(Notification.of("notifications/initialized", null));
    Message pushed = receiver.next(5); // the fake's log message, sent on the GET stream
    assertThat(pushed).isInstanceOf(Notification.class);
    assertThat(((Notification) pushed).method()).isEqualTo("notifications/message");

    Response call = receiver.call(channel, 2, "custom/echo", JSON.objectNode().put("name", "echo"));
    assertThat(call.result().path("method").stringValue()).isEqualTo("custom/echo");

    channel.send(Request.of(RequestId.of(3), "slow/progress", null));
    Message progress = receiver.next(5);
    assertThat(progress).isInstanceOf(Notification.class);
    assertThat(((Notification) progress).method()).isEqualTo("notifications/progress");
    Message answer = receiver.next(5);
    assertThat(answer).isInstanceOf(Response.class);
    assertThat(((Response) answer).id()).isEqualTo(RequestId.of(3));

    session.push(Notification.of("notifications/tools/list_changed", null));
    assertThat(((Notification) receiver.next(5)).method()).isEqualTo("notifications/tools/list_changed");

    channel.close();
    assertThat(session.closed.await(5, TimeUnit.SECONDS)).as("DELETE ended the session").isTrue();
    assertThat(receiver.closed.get(5, TimeUnit.SECONDS)).isNull();
  }

  @Test
  void sessionHeadersFollowTheInitializeAnswer() throws Exception {
    StreamableHttpClientChannel channel = new StreamableHttpClientChannel(server.uri(), Map.of(), codec, log::add);
    RecordingReceiver receiver = new RecordingReceiver();
    channel.start(receiver);
    receiver.call(channel, 1, "initialize", initParams());
    EchoSessions.EchoSession session = sessions.opened.poll(5, TimeUnit.SECONDS);
    receiver.call(channel, 2, "tools/list", null);
    assertThat(session.received).extracting(m -> ((Request) m).method()).containsExactly("initialize", "tools/list");
    assertThat(server.sessionCount()).isEqualTo(1);
    channel.close();
  }

  @Test
  void connectionRefusedBecomesAnErrorResponse() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    StreamableHttpClientChannel channel = new StreamableHttpClientChannel(
        URI.create("http://127.0.0.1:" + port + "/mcp"), Map.of(), codec, log::add);
    RecordingReceiver receiver = new RecordingReceiver();
    channel.start(receiver);
    Response r = receiver.call(channel, 1, "initialize", initParams());
    assertThat(r.error().code()).isEqualTo(JsonRpcError.UPSTREAM_UNAVAILABLE);
    assertThat(r.error().message()).contains("connection refused").contains(String.valueOf(port));
    channel.close();
  }

  @Test
  void httpErrorKeepsTheServersJsonRpcError() throws Exception {
    StreamableHttpClientChannel channel = new StreamableHttpClientChannel(server.uri(), Map.of(), codec, log::add);
    RecordingReceiver receiver = new RecordingReceiver();
    channel.start(receiver);
    Response r = receiver.call(channel, 4, "tools/list", null); // no session: the server answers 400
    assertThat(r.error().code()).isEqualTo(JsonRpcError.INVALID_REQUEST);
    assertThat(r.error().message()).contains("Mcp-Session-Id").contains("HTTP 400");
    channel.close();
  }

  @Test
  void expiredSessionClosesTheChannel() throws Exception {
    StreamableHttpClientChannel channel = new StreamableHttpClientChannel(server.uri(), Map.of(), codec, log::add);
    RecordingReceiver receiver = new RecordingReceiver();
    channel.start(receiver);
    receiver.call(channel, 1, "initialize", initParams());
    EchoSessions.EchoSession session = sessions.opened.poll(5, TimeUnit.SECONDS);
    server.byId().remove(session.id()).close("test expiry");
    channel.send(Request.of(RequestId.of(2), "tools/list", null));
    Throwable cause = receiver.closed.get(5, TimeUnit.SECONDS);
    assertThat(cause).isInstanceOf(IOException.class).hasMessageContaining("404");
    channel.close();
  }

  @Test
  void droppedGetStreamIsReopenedWithLastEventIdAndMissesNothing() throws Exception {
    StreamableHttpClientChannel channel = new StreamableHttpClientChannel(server.uri(), Map.of(), codec, log::add);
    RecordingReceiver receiver = new RecordingReceiver();
    channel.start(receiver);
    receiver.call(channel, 1, "initialize", initParams());
    EchoSessions.EchoSession session = sessions.opened.poll(5, TimeUnit.SECONDS);
    channel.send(Notification.of("notifications/initialized", null));
    assertThat(((Notification) receiver.next(5)).method()).isEqualTo("notifications/message"); // GET is open
    HttpSession http = server.byId().get(session.id());
    http.standalone().disconnect(); // the server drops the stream
    session.push(Notification.of("notifications/while-away", null));
    assertThat(((Notification) receiver.next(10)).method()).isEqualTo("notifications/while-away");
    channel.close();
  }

  @Test
  void brokenResponseStreamIsResumedWithGetAndLastEventId() throws Exception {
    StreamableHttpClientChannel channel = new StreamableHttpClientChannel(server.uri(), Map.of(), codec, log::add);
    RecordingReceiver receiver = new RecordingReceiver();
    channel.start(receiver);
    receiver.call(channel, 1, "initialize", initParams());
    EchoSessions.EchoSession session = sessions.opened.poll(5, TimeUnit.SECONDS);
    channel.send(Request.of(RequestId.of(2), "hold", null));
    assertThat(((Notification) receiver.next(5)).method()).isEqualTo("notifications/progress");
    HttpSession http = server.byId().get(session.id());
    http.stream("1").disconnect(); // the POST's stream ends before its response
    session.release(RequestId.of(2));
    Message answer = receiver.next(10);
    assertThat(answer).isInstanceOf(Response.class);
    assertThat(((Response) answer).id()).isEqualTo(RequestId.of(2));
    assertThat(((Response) answer).error()).isNull();
    channel.close();
  }

  @Test
  void statelessRequestsCarryTheHeadersTheServerChecks() throws Exception {
    StreamableHttpClientChannel channel = new StreamableHttpClientChannel(server.uri(), Map.of(), codec, log::add);
    RecordingReceiver receiver = new RecordingReceiver();
    channel.start(receiver);
    ObjectNode params = JSON.objectNode().put("name", "résumé tool");
    ObjectNode meta = params.putObject("_meta").put(McpHeaders.META_VERSION, "2026-07-28");
    meta.putObject(McpHeaders.META_CAPABILITIES);
    Response r = receiver.call(channel, 5, "tools/call", params);
    assertThat(r.error()).as(String.valueOf(r.json())).isNull();
    assertThat(sessions.statelessReceived).hasSize(1);
    assertThat(sessions.opened).isEmpty();
    channel.close();
  }

  static ObjectNode initParams() {
    ObjectNode p = JSON.objectNode().put("protocolVersion", "2025-06-18");
    p.putObject("capabilities");
    p.putObject("clientInfo").put("name", "aegis-test").put("version", "1");
    return p;
  }
}
