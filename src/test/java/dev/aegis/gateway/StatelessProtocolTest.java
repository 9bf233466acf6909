package dev.aegis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.chain.ExchangeListener;
import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.Response;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * The stateless 2026-07-28 revision spoken by a host to the gateway, in front of a server that only speaks the
 * stateful revisions (the bundled example server): discovery, the per-request envelope, required result fields, and
 * a server's sampling request turned into an input_required result that the client's retry resumes.
 */
@Timeout(120)
class StatelessProtocolTest {
  private static final String META = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
      + "\"io.modelcontextprotocol/clientCapabilities\":%s}";
  private Gateway gateway;
  private FakeHost host;

  @BeforeEach
  void start() throws Exception {
    gateway = new Gateway(TestServers.config(Duration.ofSeconds(10), 1 << 20, TestServers.example("a", "a")),
        List.of(), ExchangeListener.NONE, new TestServers.CapturedLog().log);
    host = new FakeHost(gateway);
  }

  @AfterEach
  void stop() throws Exception {
    host.close();
    gateway.close();
  }

  private static String meta(String capabilities) {
    return String.format(META, capabilities);
  }

  private Response call(String tool, String args, String capabilities, String extra) throws Exception {
    return host.request("tools/call", "{\"name\":\"" + tool + "\",\"arguments\":" + args + "," + meta(capabilities)
        + (extra == null ? "" : "," + extra) + "}");
  }

  @Test
  void discoverDescribesTheGatewayWithoutAnInitializeHandshake() throws Exception {
    Response r = host.request("server/discover", "{" + meta("{}") + "}");
    JsonNode result = r.result();
    assertThat(result.path("resultType").asString()).isEqualTo("complete");
    assertThat(result.path("supportedVersions").toString()).isEqualTo("[\"2026-07-28\"]");
    assertThat(result.path("capabilities").has("tools")).isTrue();
    assertThat(result.path("_meta").path("io.modelcontextprotocol/serverInfo").path("name").asString())
        .isEqualTo("aegis");
    assertThat(result.path("ttlMs").isIntegralNumber()).isTrue();
  }

  @Test
  void envelopeWithoutCapabilitiesIsInvalidParams() throws Exception {
    Response r = host.request("tools/list", "{\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"}}");
    assertThat(r.error().code()).isEqualTo(JsonRpcError.INVALID_PARAMS);
  }

  @Test
  void unsupportedVersionNamesWhatIsSupported() throws Exception {
    Response r = host.request("tools/list", "{\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"v999.0.0\","
        + "\"io.modelcontextprotocol/clientCapabilities\":{}}}");
    assertThat(r.error().code()).isEqualTo(JsonRpcError.UNSUPPORTED_VERSION);
    assertThat(r.error().data().path("supported").toString()).isEqualTo("[\"2026-07-28\"]");
    assertThat(r.error().data().path("requested").asString()).isEqualTo("v999.0.0");
  }

  @Test
  void methodsTheRevisionRemovedAreNotFound() throws Exception {
    for (String method : List.of("ping", "initialize", "logging/setLevel", "resources/subscribe", "unknown/method")) {
      Response r = host.request(method, "{" + meta("{}") + "}");
      assertThat(r.error().code()).as(method).isEqualTo(JsonRpcError.METHOD_NOT_FOUND);
    }
  }

  @Test
  void listsCarryResultTypeAndCacheHints() throws Exception {
    Response r = host.request("tools/list", "{" + meta("{}") + "}");
    assertThat(r.result().path("resultType").asString()).isEqualTo("complete");
    assertThat(r.result().path("cacheScope").asString()).isEqualTo("private");
    assertThat(r.result().path("ttlMs").asInt(-1)).isZero();
    assertThat(r.result().path("tools").toString()).contains("a__echo");
  }

  @Test
  void samplingForAClientWithoutTheCapabilityIsMissingCapability() throws Exception {
    Response r = call("a__sample", "{\"prompt\":\"hi\"}", "{}", null);
    assertThat(r.error().code()).isEqualTo(JsonRpcError.MISSING_CAPABILITY);
    assertThat(r.error().data().path("requiredCapabilities").toString()).isEqualTo("{\"sampling\":{}}");
  }

  @Test
  void samplingBecomesInputRequiredAndTheRetryResumesTheSameCall() throws Exception {
    Response first = call("a__sample", "{\"prompt\":\"hi\"}", "{\"sampling\":{}}", null);
    JsonNode result = first.result();
    assertThat(result.path("resultType").asString()).isEqualTo("input_required");
    String key = result.path("inputRequests").propertyNames().iterator().next();
    assertThat(result.path("inputRequests").path(key).path("method").asString()).isEqualTo("sampling/createMessage");
    String state = result.path("requestState").asString();

    Response tampered = call("a__sample", "{\"prompt\":\"hi\"}", "{\"sampling\":{}}",
        "\"requestState\":\"" + state + "-TAMPERED\",\"inputResponses\":{}");
    assertThat(tampered.error().code()).isEqualTo(JsonRpcError.INVALID_PARAMS);

    Response wrongKey = call("a__sample", "{\"prompt\":\"hi\"}", "{\"sampling\":{}}",
        "\"requestState\":\"" + state + "\",\"inputResponses\":{\"other\":{}}");
    assertThat(wrongKey.result().path("resultType").asString()).isEqualTo("input_required");
    assertThat(wrongKey.result().path("inputRequests").has(key)).isTrue();
    String newState = wrongKey.result().path("requestState").asString();
    assertThat(newState).isNotEqualTo(state);
    state = newState;

    Response done = call("a__sample", "{\"prompt\":\"hi\"}", "{\"sampling\":{}}",
        "\"requestState\":\"" + state + "\",\"inputResponses\":{\"" + key + "\":{\"role\":\"assistant\","
            + "\"content\":{\"type\":\"text\",\"text\":\"from the retry\"},\"model\":\"m\"}}");
    assertThat(done.result().path("resultType").asString()).isEqualTo("complete");
    assertThat(done.result().path("content").path(0).path("text").asString()).isEqualTo("sampled: from the retry");
  }
}
