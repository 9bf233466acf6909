package dev.aegis.transport.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aegis.protocol.Codec;
import dev.aegis.protocol.Notification;
import dev.aegis.protocol.Response;
import dev.aegis.transport.MessageChannel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The upstream channels against the real {@code @modelcontextprotocol/server-everything} from npm, in both its
 * Streamable HTTP and its legacy HTTP+SSE mode. Skipped when Node or the package is not installed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServerEverythingInteropTest {
  private static final Path SERVER = Path.of(System.getProperty("aegis.interop", "interop"),
      "node_modules/@modelcontextprotocol/server-everything/dist/index.js");
  private final Codec codec = new Codec(4 << 20);
  private final List<String> log = new CopyOnWriteArrayList<>();
  private Process node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.destroy();
      if (!node.waitFor(5, TimeUnit.SECONDS)) {
        node.destroyForcibly();
      }
    }
  }

  @Test
  void streamableHttpInitializeListAndCallEcho() throws Exception {
    int port = start("streamableHttp");
    MessageChannel channel = StreamableHttpClientChannel.open(URI.create("http://127.0.0.1:" + port + "/mcp"),
        Map.of(), false, codec, log::add);
    exercise(channel);
  }

  @Test
  void legacySseInitializeListAndCallEcho() throws Exception {
    int port = start("sse");
    MessageChannel channel = StreamableHttpClientChannel.open(URI.create("http://127.0.0.1:" + port + "/sse"),
        Map.of(), true, codec, log::add);
    exercise(channel);
  }

  private void exercise(MessageChannel channel) throws Exception {
    RecordingReceiver receiver = new RecordingReceiver();
    channel.start(receiver);
    Response init = receiver.call(channel, 1, "initialize", StreamableHttpClientChannelTest.initParams());
    assertThat(init.error()).isNull();
    assertThat(init.result().path("serverInfo").path("name").stringValue()).isNotEmpty();
    channel.send(Notification.of("notifications/initialized", null));

    Response tools = receiver.call(channel, 2, "tools/list", null);
    List<String> names = new java.util.ArrayList<>();
    tools.result().path("tools").forEach(t -> names.add(t.path("name").stringValue()));
    assertThat(names).contains("echo");

    ObjectNode args = JsonNodeFactory.instance.objectNode().put("name", "echo");
    args.putObject("arguments").put("message", "héllo ✓");
    Response echo = receiver.call(channel, 3, "tools/call", args);
    JsonNode content = echo.result().path("content").get(0);
    assertThat(content.path("text").stringValue()).isEqualTo("Echo: héllo ✓");

    channel.close();
    assertThat(receiver.closed.get(5, TimeUnit.SECONDS)).isNull();
    assertThat(log).noneMatch(l -> l.contains("failed"));
  }

  private int start(String mode) throws Exception {
    assumeTrue(Files.exists(SERVER), "server-everything is not installed at " + SERVER.toAbsolutePath());
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    ProcessBuilder pb = new ProcessBuilder("node", SERVER.toString(), mode);
    pb.environment().put("PORT", Integer.toString(port));
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    try {
      node = pb.start();
    } catch (java.io.IOException e) {
      assumeTrue(false, "node is not available: " + e.getMessage());
    }
    CompletableFuture<Void> listening = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(node.getErrorStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          log.add("node: " + line);
          if (line.contains("port " + port) || line.contains("port: " + port)) {
            listening.complete(null);
          }
        }
      } catch (java.io.IOException ignored) {
        // process gone
      }
      listening.completeExceptionally(new AssertionError("server-everything exited: " + log));
    }, "node-stderr");
    t.setDaemon(true);
    t.start();
    listening.get(30, TimeUnit.SECONDS);
    return port;
  }
}
