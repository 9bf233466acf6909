package dev.aegis.transport.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.protocol.Codec;
import dev.aegis.protocol.RequestId;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Keep-alives and slow answers, on a server whose keep-alive interval is shortened to 100 ms; and raw-socket checks. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class StreamableHttpServerTimingTest {
  private static final String INIT = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}";
  private final Codec codec = new Codec(64 * 1024);
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final EchoSessions sessions = new EchoSessions();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private StreamableHttpServer server;
  private URI uri;

  @BeforeEach
  void start() throws Exception {
    StreamableHttpServer.Limits fast = new StreamableHttpServer.Limits(Duration.ofMillis(100), Duration.ofMinutes(5),
        16, 16, 1 << 20);
    server = new StreamableHttpServer(new InetSocketAddress("127.0.0.1", 0), "/mcp", codec, sessions, List.of(),
        log::add, fast);
    server.start();
    uri = server.uri();
  }

  @AfterEach
  void stop() {
    server.close();
    sessions.shutdown();
  }

  @Test
  void idleGetStreamGetsKeepAliveComments() throws Exception {
    String sid = initialize();
    HttpResponse<InputStream> get = http.sendAsync(HttpRequest.newBuilder(uri).header("Mcp-Session-Id", sid)
        .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofInputStream())
        .get(5, TimeUnit.SECONDS);
    assertThat(firstLineStartingWith(get.body(), ":")).isEqualTo(": keep-alive");
    get.body().close();
  }

  @Test
  void slowAnswerMovesToSseSoKeepAlivesFlowThenTheResponseArrives() throws Exception {
    String sid = initialize();
    EchoSessions.EchoSession session = sessions.byId.get(sid);
    HttpResponse<InputStream> post = http.sendAsync(HttpRequest.newBuilder(uri).header("Mcp-Session-Id", sid)
        .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"jsonrpc\":\"2.0\",\"id\":30,\"method\":\"hold/quiet\",\"params\":{}}")).build(),
        HttpResponse.BodyHandlers.ofInputStream()).get(5, TimeUnit.SECONDS);
    assertThat(post.headers().firstValue("content-type")).hasValue("text/event-stream");
    BufferedReader lines = new BufferedReader(new InputStreamReader(post.body(), StandardCharsets.UTF_8));
    assertThat(nextStartingWith(lines, ":")).isEqualTo(": keep-alive");
    session.release(RequestId.of(30));
    assertThat(nextStartingWith(lines, "data:")).contains("\"id\":30");
    post.body().close();
  }

  @Test
  void foreignHostHeaderIsForbiddenOnALoopbackBind() throws Exception {
    assertThat(rawStatus("evil.example.com")).isEqualTo(403);
    assertThat(rawStatus("localhost:" + server.port())).isEqualTo(200);
  }

  private int rawStatus(String host) throws Exception {
    byte[] body = INIT.getBytes(StandardCharsets.UTF_8);
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(("POST /mcp HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\nContent-Length: "
          + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
          .readLine();
      return Integer.parseInt(status.split(" ")[1]);
    }
  }

  private String initialize() throws Exception {
    HttpResponse<String> r = http.sendAsync(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(INIT)).build(), HttpResponse.BodyHandlers.ofString())
        .get(5, TimeUnit.SECONDS);
    return r.headers().firstValue("mcp-session-id").orElseThrow();
  }

  private static String firstLineStartingWith(InputStream in, String prefix) throws Exception {
    return nextStartingWith(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), prefix);
  }

  /** Reads lines (on another thread, bounded in time) until one starts with the prefix. */
  private static String nextStartingWith(BufferedReader lines, String prefix) throws Exception {
    return CompletableFuture.supplyAsync(() -> {
      try {
        String line;
        while ((line = lines.readLine()) != null) {
          if (line.startsWith(prefix)) {
            return line;
          }
        }
        return null;
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }).get(5, TimeUnit.SECONDS);
  }
}
