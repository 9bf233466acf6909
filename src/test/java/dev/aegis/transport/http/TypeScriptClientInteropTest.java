package dev.aegis.transport.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aegis.protocol.Codec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The official TypeScript SDK client ({@code @modelcontextprotocol/sdk}, from npm) against the endpoint: connect
 * (initialize, initialized, the GET stream), list and call tools, a call with progress (SSE), then end the session.
 * Also prints the transport's median round trip for a {@code tools/call}. Skipped without Node or the package.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TypeScriptClientInteropTest {
  private static final Path SDK = Path.of(System.getProperty("aegis.interop", "interop"),
      "node_modules/@modelcontextprotocol/sdk").toAbsolutePath();
  private static final String SCRIPT = """
      const [sdk, url, calls] = process.argv.slice(2);
      const { Client } = await import(sdk + "/dist/esm/client/index.js");
      const { StreamableHTTPClientTransport } = await import(sdk + "/dist/esm/client/streamableHttp.js");
      const { ResultSchema } = await import(sdk + "/dist/esm/types.js");
      const client = new Client({ name: "ts-interop", version: "1.0.0" });
      const transport = new StreamableHTTPClientTransport(new URL(url));
      const errors = [];
      client.onerror = (e) => errors.push(String(e));
      await client.connect(transport);
      const tools = await client.listTools();
      let progress = 0;
      const slow = await client.request({ method: "slow/progress", params: {} }, ResultSchema,
          { onprogress: () => progress++ });
      const times = [];
      for (let i = 0; i < Number(calls); i++) {
        const t0 = performance.now();
        await client.callTool({ name: "echo", arguments: { i } });
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      const sessionId = transport.sessionId;
      await transport.terminateSession();
      await client.close();
      console.log(JSON.stringify({ tools: tools.tools.map((t) => t.name), progress, slow: slow.method,
          sessionId, medianMs: times[Math.floor(times.length / 2)], errors }));
      """;

  private final Codec codec = new Codec(4 << 20);
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final EchoSessions sessions = new EchoSessions();
  private StreamableHttpServer server;

  @BeforeEach
  void start() throws IOException {
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
  void officialClientConnectsCallsToolsSeesProgressAndEndsTheSession(@TempDir Path dir) throws Exception {
    assumeTrue(Files.exists(SDK.resolve("dist/esm/client/streamableHttp.js")), "the TS SDK is not installed");
    Path script = dir.resolve("client.mjs");
    Files.writeString(script, SCRIPT);
    Process node;
    try {
      node = new ProcessBuilder("node", script.toString(), SDK.toUri().toString().replaceAll("/$", ""),
          server.uri().toString(), "1000").redirectErrorStream(true).start();
    } catch (IOException e) {
      assumeTrue(false, "node is not available: " + e.getMessage());
      return;
    }
    assertThat(node.waitFor(60, TimeUnit.SECONDS)).as("the client finished").isTrue();
    String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(node.exitValue()).as(out).isZero();
    JsonNode result = codec.mapper().readTree(out.substring(out.lastIndexOf('\n') + 1));
    assertThat(result.path("tools").get(0).stringValue()).isEqualTo("echo");
    assertThat(result.path("progress").intValue()).isEqualTo(1);
    assertThat(result.path("slow").stringValue()).isEqualTo("slow/progress");
    assertThat(result.path("errors").isEmpty()).as(result.path("errors").toString()).isTrue();
    String sid = result.path("sessionId").stringValue();
    assertThat(sessions.byId.get(sid).closed.await(5, TimeUnit.SECONDS)).isTrue();
    System.out.printf("TS SDK client -> StreamableHttpServer (echo fake): median tools/call %.3f ms%n",
        result.path("medianMs").doubleValue());
  }
}
