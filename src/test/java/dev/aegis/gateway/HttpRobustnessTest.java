package dev.aegis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.chain.ExchangeListener;
import dev.aegis.transport.http.StreamableHttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gateway behind its real Streamable HTTP endpoint, with the example server as a real child process: a client
 * that vanishes in the middle of a call costs nothing to the session or to other sessions.
 */
@Timeout(90)
class HttpRobustnessTest {
  private final TestServers.CapturedLog log = new TestServers.CapturedLog();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private Gateway gateway;
  private StreamableHttpServer server;

  @BeforeEach
  void start() throws Exception {
    gateway = new Gateway(TestServers.config(Duration.ofSeconds(10), 1 << 20, TestServers.example("a", "a")),
        List.of(), ExchangeListener.NONE, log.log);
    server = new StreamableHttpServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), gateway.codec(),
        gateway, List.of(), line -> {});
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
    gateway.close();
  }

  private HttpResponse<String> post(String session, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.uri())
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (session != null) {
      b.header("Mcp-Session-Id", session);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String initialize() throws Exception {
    HttpResponse<String> r = post(null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
        + "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
    assertThat(r.statusCode()).isEqualTo(200);
    String session = r.headers().firstValue("Mcp-Session-Id").orElseThrow();
    assertThat(post(session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").statusCode())
        .isEqualTo(202);
    return session;
  }

  private String echo(String session, int id, String text) throws Exception {
    HttpResponse<String> r = post(session, "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\","
        + "\"params\":{\"name\":\"a__echo\",\"arguments\":{\"message\":\"" + text + "\"}}}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }

  @Test
  void aClientThatDisconnectsMidCallCostsNothingToItsSessionOrOthers() throws Exception {
    String first = initialize();
    String second = initialize();
    byte[] body = ("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"a__slow\","
        + "\"arguments\":{\"ms\":700}}}").getBytes(StandardCharsets.UTF_8);
    try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      OutputStream out = raw.getOutputStream();
      out.write(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\nContent-Type: application/json\r\n"
          + "Accept: application/json, text/event-stream\r\nMcp-Session-Id: " + first + "\r\nContent-Length: "
          + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
    } // gone, with the call in flight
    assertThat(echo(second, 2, "other session")).contains("Echo: other session");
    assertThat(echo(first, 3, "same session")).contains("Echo: same session");
    // after the abandoned call has finished upstream, both sessions still answer
    HttpResponse<String> slow = post(first, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":"
        + "{\"name\":\"a__slow\",\"arguments\":{\"ms\":900}}}");
    assertThat(slow.body()).contains("slept 900 ms");
    assertThat(echo(second, 5, "still")).contains("Echo: still");
    assertThat(gateway.sessionCount()).isEqualTo(2);
    assertThat(log.text()).doesNotContain("Exception");
  }
}
