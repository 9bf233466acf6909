package dev.aegis.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.aegis.chain.Decision;
import dev.aegis.chain.ExchangeListener;
import dev.aegis.config.AccessConfig;
import dev.aegis.identity.HttpIdentity;
import dev.aegis.identity.StaticKeys;
import dev.aegis.policy.AccessGuard;
import dev.aegis.policy.PolicyStore;
import dev.aegis.transport.http.StreamableHttpServer;
import dev.aegis.trust.TrustLabels;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Identities and a policy over Streamable HTTP, with a real HTTP client: each API key is a principal; two principals
 * see different tool lists and get different decisions; a missing or wrong key is refused with a challenge; a session
 * is usable only by the caller that opened it; a broken policy edit keeps the old policy serving.
 */
class AccessOverHttpTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String POLICY = """
      version: 1
      default: deny
      rules:
        - id: ops-everything
          principals: ["group:ops"]
          effect: allow
        - id: readers-echo-short
          principals: [reader]
          tools: [echo]
          when: 'size(args.message) < 20'
          effect: allow
          reason: readers may echo short messages
      """;

  @TempDir
  Path tmp;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<Decision> decisions = new CopyOnWriteArrayList<>();
  private final List<String> policyErrors = new CopyOnWriteArrayList<>();
  private Gateway gateway;
  private StreamableHttpServer server;
  private AccessGuard guard;
  private Path policyFile;
  private final String opsKey = StaticKeys.generate();
  private final String readerKey = StaticKeys.generate();

  @BeforeEach
  void start() throws Exception {
    policyFile = tmp.resolve("policy.yaml");
    Files.writeString(policyFile, POLICY);
    PolicyStore policies = PolicyStore.load(policyFile);
    policies.watch(policyErrors::addAll, () -> { });
    AccessConfig.Identity identity = new AccessConfig.Identity("local", List.of(), false, List.of(
        new AccessConfig.Key(StaticKeys.hash(opsKey), "olga", List.of("ops")),
        new AccessConfig.Key(StaticKeys.hash(readerKey), "reader", List.of())), null);
    guard = new AccessGuard(AccessConfig.Policy.DEFAULT, policies, TrustLabels.from(AccessConfig.Trust.DEFAULT),
        AccessConfig.Trust.DEFAULT, null);
    ExchangeListener listener = (exchange, reply, nanos) -> decisions.addAll(exchange.decisions());
    gateway = new Gateway(TestServers.config(Duration.ofSeconds(10), 1 << 20, TestServers.example("a", "a")),
        List.of(guard), listener, new TestServers.CapturedLog().log);
    server = new StreamableHttpServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), gateway.codec(),
        gateway, List.of(), line -> { });
    server.auth(HttpIdentity.from(identity));
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
    gateway.close();
    guard.close();
  }

  private HttpResponse<String> post(String key, String session, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.uri())
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    if (session != null) {
      b.header("Mcp-Session-Id", session);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String initialize(String key) throws Exception {
    HttpResponse<String> r = post(key, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
        + "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String session = r.headers().firstValue("Mcp-Session-Id").orElseThrow();
    post(key, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    return session;
  }

  private List<String> tools(String key, String session) throws Exception {
    JsonNode r = JSON.readTree(post(key, session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}").body());
    List<String> names = new ArrayList<>();
    r.path("result").path("tools").forEach(t -> names.add(t.path("name").asString()));
    return names;
  }

  private JsonNode echo(String key, String session, String message) throws Exception {
    return JSON.readTree(post(key, session, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":"
        + "{\"name\":\"a__echo\",\"arguments\":{\"message\":\"" + message + "\"}}}").body());
  }

  @Test
  void twoPrincipalsSeeDifferentToolsAndGetDifferentDecisions() throws Exception {
    String ops = initialize(opsKey);
    String reader = initialize(readerKey);

    assertThat(tools(opsKey, ops)).contains("a__echo", "a__add");
    assertThat(tools(readerKey, reader)).containsExactly("a__echo");

    assertThat(echo(opsKey, ops, "a long message for operations").path("result").isObject()).isTrue();
    JsonNode refused = echo(readerKey, reader, "a long message for operations");
    assertThat(refused.path("error").path("message").asString()).contains("not allowed for reader", "default");
    assertThat(echo(readerKey, reader, "short").path("result").path("content").get(0).path("text").asString())
        .isEqualTo("Echo: short");
    assertThat(decisions).anySatisfy(d -> assertThat(d.reason()).contains("reader", "rule readers-echo-short"));
  }

  @Test
  void noKeyOrAWrongKeyIsRefusedWithAChallenge() throws Exception {
    HttpResponse<String> none = post(null, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}");
    HttpResponse<String> wrong = post("aegis_not-a-real-key", null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}");

    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).doesNotContain("aegis_not-a-real-key");
  }

  @Test
  void aSessionBelongsToTheCallerThatOpenedIt() throws Exception {
    String ops = initialize(opsKey);

    HttpResponse<String> stolen = post(readerKey, ops, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/list\"}");

    assertThat(stolen.statusCode()).isEqualTo(404);
    assertThat(tools(opsKey, ops)).contains("a__add");
  }

  @Test
  void aBrokenPolicyEditKeepsTheOldPolicyServing() throws Exception {
    String reader = initialize(readerKey);
    String broken = POLICY.replace("effect: allow\n    reason", "effect: perhaps\n    reason");
    assertThat(broken).isNotEqualTo(POLICY);
    Files.writeString(policyFile, broken);
    // the store reports the broken edit with its position; decisions still follow the last good policy
    await().atMost(Duration.ofSeconds(10)).until(() -> !policyErrors.isEmpty());
    assertThat(policyErrors).anyMatch(e -> e.contains("policy.yaml:") && e.contains("perhaps"));
    assertThat(echo(readerKey, reader, "short").path("result").isObject()).isTrue();

    Files.writeString(policyFile, POLICY.replace("size(args.message) < 20", "size(args.message) < 3"));
    await().atMost(Duration.ofSeconds(10)).until(() -> echo(readerKey, reader, "short").has("error"));
  }
}
