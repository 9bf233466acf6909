package dev.aegis.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/** Request ids, error objects, method names and protocol revisions. */
class ProtocolValuesTest {
  private final JsonMapper mapper = JsonMapper.builder().build();

  @Test
  void requestIdReadsStringsAndIntegersOnly() {
    assertThat(RequestId.fromJson(mapper.readTree("\"x\""))).isEqualTo(RequestId.of("x"));
    assertThat(RequestId.fromJson(mapper.readTree("-3"))).isEqualTo(RequestId.of(-3));
    assertThatThrownBy(() -> RequestId.fromJson(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("id must be a string or an integer, was missing");
    assertThatThrownBy(() -> RequestId.fromJson(mapper.readTree("2.5")))
        .hasMessage("id must be a string or an integer, was 2.5");
  }

  @Test
  void requestIdPrintsAsItTravels() {
    assertThat(RequestId.of(7)).hasToString("7");
    assertThat(RequestId.of("7")).hasToString("\"7\"");
    assertThat(RequestId.of("7").toJson().isString()).isTrue();
    assertThat(RequestId.of(7).toJson().isIntegralNumber()).isTrue();
  }

  @Test
  void errorObjectReadingToleratesSloppyPeers() {
    JsonRpcError noCode = JsonRpcError.fromJson(mapper.readTree("{\"message\":\"m\"}"));
    JsonRpcError oddMessage = JsonRpcError.fromJson(mapper.readTree("{\"code\":-1,\"message\":{\"x\":1}}"));
    JsonRpcError noMessage = JsonRpcError.fromJson(mapper.readTree("{\"code\":-1}"));

    assertThat(noCode.code()).isEqualTo(JsonRpcError.INTERNAL_ERROR);
    assertThat(oddMessage.message()).isEqualTo("{\"x\":1}");
    assertThat(noMessage.message()).isNotNull();
  }

  @Test
  void errorObjectRoundTripsWithData() {
    JsonRpcError e = new JsonRpcError(JsonRpcError.UNSUPPORTED_VERSION, "unsupported",
        JsonNodeFactory.instance.objectNode().set("supported", JsonNodeFactory.instance.arrayNode().add("2025-06-18")));

    assertThat(JsonRpcError.fromJson(e.toJson())).isEqualTo(e);
    assertThat(JsonRpcError.of(1, "m").toJson().has("data")).isFalse();
  }

  @Test
  void methodNamesMapBothWays() {
    for (McpMethod m : McpMethod.values()) {
      assertThat(McpMethod.of(m.wire())).isSameAs(m);
    }
    assertThat(McpMethod.of("vendor/custom")).isNull();
    assertThat(McpMethod.of(null)).isNull();
  }

  @Test
  void negotiationAnswersTheClientsRevisionOrTheNewestStatefulOne() {
    assertThat(ProtocolVersion.negotiate("2025-06-18")).isEqualTo(ProtocolVersion.V2025_06_18);
    assertThat(ProtocolVersion.negotiate("2024-11-05")).isEqualTo(ProtocolVersion.V2024_11_05);
    assertThat(ProtocolVersion.negotiate("1999-01-01")).isEqualTo(ProtocolVersion.LATEST_STATEFUL);
    assertThat(ProtocolVersion.negotiate(null)).isEqualTo(ProtocolVersion.LATEST_STATEFUL);
    assertThat(ProtocolVersion.negotiate("2026-07-28")).isEqualTo(ProtocolVersion.LATEST_STATEFUL);
  }

  @Test
  void revisionsAreOrderedOldestFirst() {
    assertThat(ProtocolVersion.V2025_11_25.atLeast(ProtocolVersion.V2025_03_26)).isTrue();
    assertThat(ProtocolVersion.V2024_11_05.atLeast(ProtocolVersion.V2025_03_26)).isFalse();
    assertThat(ProtocolVersion.V2026_07_28.isStateless()).isTrue();
    assertThat(ProtocolVersion.LATEST_STATEFUL.isStateless()).isFalse();
    assertThat(ProtocolVersion.wireNames()).startsWith("2024-11-05").endsWith("2026-07-28");
  }
}
