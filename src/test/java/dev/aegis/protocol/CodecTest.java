package dev.aegis.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

class CodecTest {
  private final Codec codec = new Codec(64 * 1024);

  private List<Message> decode(String json) throws ProtocolException {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    return codec.decode(b, 0, b.length);
  }

  private Message decodeOne(String json) throws ProtocolException {
    return codec.decodeOne(json.getBytes(StandardCharsets.UTF_8));
  }

  private ProtocolException failure(String json) {
    return catchThrowableOfType(ProtocolException.class, () -> decode(json));
  }

  private JsonNode tree(String json) {
    return codec.mapper().readTree(json);
  }

  @Test
  void requestDecodesWithIdMethodAndParams() throws Exception {
    Message m = decodeOne("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\"}}");

    assertThat(m).isInstanceOf(Request.class);
    Request r = (Request) m;
    assertThat(r.id()).isEqualTo(RequestId.of(7));
    assertThat(r.method()).isEqualTo("tools/call");
    assertThat(r.knownMethod()).isEqualTo(McpMethod.TOOLS_CALL);
    assertThat(r.params().get("name").stringValue()).isEqualTo("echo");
  }

  @Test
  void notificationDecodesWithoutId() throws Exception {
    Message m = decodeOne("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");

    assertThat(m).isInstanceOf(Notification.class);
    assertThat(((Notification) m).knownMethod()).isEqualTo(McpMethod.INITIALIZED);
    assertThat(((Notification) m).params()).isNull();
  }

  @Test
  void resultResponseDecodes() throws Exception {
    Message m = decodeOne("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"result\":{\"tools\":[]}}");

    assertThat(m).isInstanceOf(Response.class);
    Response r = (Response) m;
    assertThat(r.id()).isEqualTo(RequestId.of("a"));
    assertThat(r.isError()).isFalse();
    assertThat(r.result().has("tools")).isTrue();
    assertThat(r.error()).isNull();
  }

  @Test
  void errorResponseDecodesWithCodeMessageAndData() throws Exception {
    Response r = (Response) decodeOne(
        "{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":-32601,\"message\":\"no such method\",\"data\":[1]}}");

    assertThat(r.isError()).isTrue();
    assertThat(r.result()).isNull();
    assertThat(r.error().code()).isEqualTo(JsonRpcError.METHOD_NOT_FOUND);
    assertThat(r.error().message()).isEqualTo("no such method");
    assertThat(r.error().data()).isEqualTo(tree("[1]"));
  }

  @Test
  void numberIdAndStringIdWithSameDigitsAreDifferentIds() throws Exception {
    Request number = (Request) decodeOne("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}");
    Request text = (Request) decodeOne("{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"method\":\"ping\"}");

    assertThat(number.id()).isInstanceOf(RequestId.Number.class).isEqualTo(RequestId.of(1));
    assertThat(text.id()).isInstanceOf(RequestId.Text.class).isEqualTo(RequestId.of("1"));
    assertThat(number.id()).isNotEqualTo(text.id());
    assertThat(number.id().hashCode() == text.id().hashCode() && number.id().equals(text.id())).isFalse();
    assertThat(codec.encodeToString(number)).contains("\"id\":1");
    assertThat(codec.encodeToString(text)).contains("\"id\":\"1\"");
  }

  @Test
  void largeIntegerIdWithinLongRangeIsKeptExactly() throws Exception {
    Request r = (Request) decodeOne("{\"jsonrpc\":\"2.0\",\"id\":9007199254740993,\"method\":\"ping\"}");

    assertThat(r.id()).isEqualTo(RequestId.of(9007199254740993L));
    assertThat(codec.encodeToString(r)).contains("9007199254740993");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"a\":1}", "1.5", "true", "[1]", "1e3", "99999999999999999999999"})
  void idThatIsNotStringOrIntegerIsInvalidRequest(String id) {
    ProtocolException e = failure("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\"}");

    assertThat(e.error().code()).isEqualTo(JsonRpcError.INVALID_REQUEST);
    assertThat(e.error().message()).startsWith("Invalid Request: id must be a string or an integer");
    assertThat(e.id()).isNull();
  }

  @Test
  void nullIdIsRejectedOnRequest() {
    ProtocolException e = failure("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}");

    assertThat(e.error().code()).isEqualTo(JsonRpcError.INVALID_REQUEST);
    assertThat(e.error().message()).isEqualTo("Invalid Request: a request id must not be null");
  }

  @Test
  void nullIdIsRejectedOnResult() {
    ProtocolException e = failure("{\"jsonrpc\":\"2.0\",\"id\":null,\"result\":{}}");

    assertThat(e.error().code()).isEqualTo(JsonRpcError.INVALID_REQUEST);
    assertThat(e.error().message()).isEqualTo("Invalid Request: a result must carry the request's id");
  }

  @Test
  void resultWithoutIdIsRejected() {
    assertThat(failure("{\"jsonrpc\":\"2.0\",\"result\":{}}").error().code())
        .isEqualTo(JsonRpcError.INVALID_REQUEST);
  }

  @Test
  void nullIdIsAllowedOnErrorResponse() throws Exception {
    Response r = (Response) decodeOne(
        "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"}}");

    assertThat(r.id()).isNull();
    assertThat(r.error().code()).isEqualTo(JsonRpcError.PARSE_ERROR);
  }

  @Test
  void responseRecordRefusesNullIdWithoutError() {
    ObjectNode json = (ObjectNode) tree("{\"jsonrpc\":\"2.0\",\"result\":{}}");

    assertThatThrownBy(() -> new Response(null, json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("only an error response may have a null id");
  }

  @Test
  void errorResponseWithNullIdEncodesIdAsJsonNull() {
    Response r = Response.error(null, JsonRpcError.of(JsonRpcError.PARSE_ERROR, "Parse error"));

    assertThat(tree(codec.encodeToString(r)))
        .isEqualTo(tree("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"}}"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"id\":1,\"method\":\"ping\"}",
      "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}",
      "{\"jsonrpc\":2.0,\"id\":1,\"method\":\"ping\"}",
      "{\"jsonrpc\":null,\"id\":1,\"method\":\"ping\"}"})
  void missingOrWrongJsonrpcIsInvalidRequestThatNamesTheId(String json) {
    ProtocolException e = failure(json);

    assertThat(e.error().code()).isEqualTo(JsonRpcError.INVALID_REQUEST);
    assertThat(e.error().message()).isEqualTo("Invalid Request: jsonrpc must be \"2.0\"");
    assertThat(e.id()).isEqualTo(RequestId.of(1));
  }

  @Test
  void responseWithBothResultAndErrorIsRejected() {
    ProtocolException e = failure(
        "{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":{},\"error\":{\"code\":1,\"message\":\"x\"}}");

    assertThat(e.error().code()).isEqualTo(JsonRpcError.INVALID_REQUEST);
    assertThat(e.error().message())
        .isEqualTo("Invalid Request: a response must have exactly one of result and error");
    assertThat(e.id()).isEqualTo(RequestId.of(4));
  }

  @Test
  void responseWithNeitherResultNorErrorIsRejected() {
    assertThat(failure("{\"jsonrpc\":\"2.0\",\"id\":4}").error().message())
        .isEqualTo("Invalid Request: a response must have exactly one of result and error");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"boom\"", "{\"message\":\"no code\"}", "{\"code\":\"1\",\"message\":\"x\"}",
      "{\"code\":1.5,\"message\":\"x\"}"})
  void errorWithoutIntegerCodeIsRejected(String error) {
    ProtocolException e = failure("{\"jsonrpc\":\"2.0\",\"id\":4,\"error\":" + error + "}");

    assertThat(e.error().message()).isEqualTo("Invalid Request: error must be an object with an integer code");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"a string\"", "42", "true"})
  void paramsThatAreNotObjectOrArrayAreRejected(String params) {
    ProtocolException e = failure("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"x\",\"params\":" + params + "}");

    assertThat(e.error().code()).isEqualTo(JsonRpcError.INVALID_REQUEST);
    assertThat(e.error().message()).isEqualTo("Invalid Request: params must be an object");
    assertThat(e.id()).isEqualTo(RequestId.of(9));
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"\"", "5", "null", "{}"})
  void methodThatIsNotANonEmptyStringIsRejected(String method) {
    assertThat(failure("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":" + method + "}").error().message())
        .isEqualTo("Invalid Request: method must be a non-empty string");
  }

  @ParameterizedTest
  @ValueSource(strings = {"42", "\"text\"", "null", "true"})
  void jsonThatIsNotAnObjectIsInvalidRequest(String json) {
    ProtocolException e = failure(json);

    assertThat(e.error().code()).isEqualTo(JsonRpcError.INVALID_REQUEST);
    assertThat(e.error().message()).isEqualTo("Invalid Request: message must be a JSON object");
  }

  @Test
  void batchKeepsOrder() throws Exception {
    List<Message> batch = decode("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\"},"
        + "{\"jsonrpc\":\"2.0\",\"method\":\"b\"},"
        + "{\"jsonrpc\":\"2.0\",\"id\":\"c\",\"result\":{}}]");

    assertThat(batch).hasSize(3);
    assertThat(batch.get(0)).isInstanceOf(Request.class);
    assertThat(((Request) batch.get(0)).method()).isEqualTo("a");
    assertThat(((Notification) batch.get(1)).method()).isEqualTo("b");
    assertThat(((Response) batch.get(2)).id()).isEqualTo(RequestId.of("c"));
  }

  @Test
  void emptyBatchIsRejected() {
    ProtocolException e = failure("[]");

    assertThat(e.error().code()).isEqualTo(JsonRpcError.INVALID_REQUEST);
    assertThat(e.error().message()).isEqualTo("empty batch");
  }

  @Test
  void batchWithOneInvalidElementFailsWholeDecode() {
    assertThat(failure("[{\"jsonrpc\":\"2.0\",\"method\":\"a\"}, 5]").error().code())
        .isEqualTo(JsonRpcError.INVALID_REQUEST);
  }

  @Test
  void decodeOneRefusesBatch() {
    byte[] b = "[{\"jsonrpc\":\"2.0\",\"method\":\"a\"},{\"jsonrpc\":\"2.0\",\"method\":\"b\"}]"
        .getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> codec.decodeOne(b))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("a batch is not allowed here");
  }

  @Test
  void decodeEachDeliversValidElementsAndOneErrorPerInvalidElementInOrder() {
    byte[] b = ("[{\"jsonrpc\":\"2.0\",\"method\":\"a\"}, 5, {\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"b\"},"
        + " {\"jsonrpc\":\"1.0\",\"id\":3,\"method\":\"c\"}]").getBytes(StandardCharsets.UTF_8);
    List<String> seen = new ArrayList<>();

    codec.decodeEach(b, 0, b.length, new Codec.Sink() {
      @Override
      public void message(Message message) {
        seen.add("message " + (message instanceof Request r ? r.method() : ((Notification) message).method()));
      }

      @Override
      public void invalid(ProtocolException error) {
        seen.add("invalid " + error.error().code() + " id=" + error.id());
      }
    });

    assertThat(seen).containsExactly("message a", "invalid -32600 id=null", "message b", "invalid -32600 id=3");
  }

  @Test
  void decodeEachReportsParseErrorOversizeAndEmptyBatch() {
    List<Integer> codes = new ArrayList<>();
    Codec small = new Codec(10);
    Codec.Sink sink = new Codec.Sink() {
      @Override
      public void message(Message message) {
        codes.add(0);
      }

      @Override
      public void invalid(ProtocolException error) {
        codes.add(error.error().code());
      }
    };
    byte[] garbage = "{nope".getBytes(StandardCharsets.UTF_8);
    byte[] empty = "[]".getBytes(StandardCharsets.UTF_8);
    byte[] big = "{\"jsonrpc\":\"2.0\",\"method\":\"x\"}".getBytes(StandardCharsets.UTF_8);

    small.decodeEach(garbage, 0, garbage.length, sink);
    small.decodeEach(empty, 0, empty.length, sink);
    small.decodeEach(big, 0, big.length, sink);

    assertThat(codes).containsExactly(JsonRpcError.PARSE_ERROR, JsonRpcError.INVALID_REQUEST,
        JsonRpcError.MESSAGE_TOO_LARGE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"not json", "{\"jsonrpc\":\"2.0\",", "{\"jsonrpc\":\"2.0\",\"method\":\"x\"", "{'a':1}",
      "\u0000\u0001", "{\"a\":tru}", "[1,]"})
  void garbageAndTruncatedJsonAreParseErrors(String json) {
    ProtocolException e = failure(json);

    assertThat(e.error().code()).isEqualTo(JsonRpcError.PARSE_ERROR);
    assertThat(e.error().message()).startsWith("Parse error: ").doesNotContain("\n");
    assertThat(e.id()).isNull();
  }

  @Test
  void twoMessagesOnOneLineAreAParseErrorNotASilentlyDroppedSecondMessage() {
    ProtocolException e = failure("{\"jsonrpc\":\"2.0\",\"method\":\"a\"}{\"jsonrpc\":\"2.0\",\"method\":\"b\"}");

    assertThat(e).isNotNull();
    assertThat(e.error().code()).isEqualTo(JsonRpcError.PARSE_ERROR);
  }

  @Test
  void emptyInputIsAParseError() {
    ProtocolException e = failure("");

    assertThat(e).isNotNull();
    assertThat(e.error().code()).isEqualTo(JsonRpcError.PARSE_ERROR);
  }

  @Test
  void nestingJustWithinMaxDepthIsAccepted() throws Exception {
    // the envelope and params take two levels
    int inner = Codec.MAX_DEPTH - 2;
    String json = "{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":{\"deep\":" + "[".repeat(inner - 1)
        + "]".repeat(inner - 1) + "}}";

    assertThat(decode(json)).hasSize(1);
  }

  @Test
  void nestingBeyondMaxDepthIsAParseError() {
    int depth = Codec.MAX_DEPTH + 1;

    ProtocolException e = failure("[".repeat(depth) + "]".repeat(depth));

    assertThat(e.error().code()).isEqualTo(JsonRpcError.PARSE_ERROR);
  }

  @Test
  void hundredThousandNestedArraysAreAParseErrorNotAStackOverflow() {
    int depth = 100_000;
    Codec roomy = new Codec(4 * depth);
    byte[] b = new byte[2 * depth];
    Arrays.fill(b, 0, depth, (byte) '[');
    Arrays.fill(b, depth, 2 * depth, (byte) ']');

    ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> roomy.decode(b, 0, b.length));

    assertThat(e.error().code()).isEqualTo(JsonRpcError.PARSE_ERROR);
  }

  @Test
  void hundredThousandNestedObjectsInsideParamsAreAParseError() {
    int depth = 100_000;
    Codec roomy = new Codec(16 * depth);
    String json = "{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":" + "{\"a\":".repeat(depth) + "1"
        + "}".repeat(depth) + "}";
    byte[] b = json.getBytes(StandardCharsets.UTF_8);

    ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> roomy.decode(b, 0, b.length));

    assertThat(e.error().code()).isEqualTo(JsonRpcError.PARSE_ERROR);
  }

  @Test
  void messageOverTheLimitIsTooLargeBeforeParsing() {
    Codec small = new Codec(32);
    byte[] b = ("{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":{\"pad\":\"" + "x".repeat(100) + "\"}}")
        .getBytes(StandardCharsets.UTF_8);

    ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> small.decode(b, 0, b.length));

    assertThat(e.error().code()).isEqualTo(JsonRpcError.MESSAGE_TOO_LARGE);
    assertThat(e.error().message()).isEqualTo("message of " + b.length + " bytes exceeds the limit of 32");
  }

  @Test
  void messageExactlyAtTheLimitIsAccepted() throws Exception {
    byte[] b = "{\"jsonrpc\":\"2.0\",\"method\":\"x\"}".getBytes(StandardCharsets.UTF_8);
    Codec exact = new Codec(b.length);

    assertThat(exact.decode(b, 0, b.length)).hasSize(1);
  }

  @Test
  void decodeHonoursOffsetAndLength() throws Exception {
    byte[] b = "xx{\"jsonrpc\":\"2.0\",\"method\":\"x\"}yy".getBytes(StandardCharsets.UTF_8);

    List<Message> m = codec.decode(b, 2, b.length - 4);

    assertThat(((Notification) m.get(0)).method()).isEqualTo("x");
  }

  @Test
  void codecRefusesNonPositiveLimit() {
    assertThatThrownBy(() -> new Codec(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxBytes must be positive, was 0");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"x-trace\":{\"span\":[1,2]},"
          + "\"params\":{\"name\":\"t\",\"arguments\":{\"a\":1.25},\"_meta\":{\"progressToken\":\"p\"},\"future\":true}}",
      "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"extra\":null,\"params\":{\"progress\":1e3,\"odd\":[]}}",
      "{\"jsonrpc\":\"2.0\",\"id\":\"r\",\"result\":{\"content\":[],\"structuredContent\":{\"k\":\"v\"}},\"vendor\":1}",
      "{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":-1,\"message\":\"m\",\"data\":{\"d\":1},\"extra\":2},\"x\":0}",
      "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"legacy\",\"params\":[1,\"two\",{\"three\":3}]}"})
  void unknownFieldsSurviveDecodeThenEncode(String json) throws Exception {
    Message m = decodeOne(json);

    assertThat(tree(new String(codec.encode(m), StandardCharsets.UTF_8))).isEqualTo(tree(json));
    assertThat(tree(codec.encodeToString(m))).isEqualTo(tree(json));
  }

  @Test
  void requestWithIdLeavesTheOriginalJsonUntouched() throws Exception {
    String json = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"t\"}}";
    Request original = (Request) decodeOne(json);

    Request renumbered = original.withId(RequestId.of("gw-1"));

    assertThat(original.json()).isEqualTo(tree(json));
    assertThat(original.id()).isEqualTo(RequestId.of(1));
    assertThat(renumbered.id()).isEqualTo(RequestId.of("gw-1"));
    assertThat(renumbered.json().get("id").stringValue()).isEqualTo("gw-1");
    assertThat(renumbered.json().get("params")).isEqualTo(original.json().get("params"));
  }

  @Test
  void requestWithParamsLeavesTheOriginalJsonUntouched() throws Exception {
    String json = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"t\"}}";
    Request original = (Request) decodeOne(json);
    ObjectNode params = JsonNodeFactory.instance.objectNode().put("name", "rewritten");

    Request rewritten = original.withParams(params);

    assertThat(original.json()).isEqualTo(tree(json));
    assertThat(original.params().get("name").stringValue()).isEqualTo("t");
    assertThat(rewritten.params().get("name").stringValue()).isEqualTo("rewritten");
    assertThat(rewritten.id()).isEqualTo(original.id());
  }

  @Test
  void notificationWithParamsLeavesTheOriginalJsonUntouched() throws Exception {
    String json = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progress\":1}}";
    Notification original = (Notification) decodeOne(json);

    Notification rewritten = original.withParams(JsonNodeFactory.instance.objectNode().put("progress", 2));

    assertThat(original.json()).isEqualTo(tree(json));
    assertThat(rewritten.params().get("progress").intValue()).isEqualTo(2);
  }

  @Test
  void responseWithIdAndWithResultLeaveTheOriginalJsonUntouched() throws Exception {
    String json = "{\"jsonrpc\":\"2.0\",\"id\":\"gw-1\",\"result\":{\"ok\":true}}";
    Response original = (Response) decodeOne(json);

    Response renumbered = original.withId(RequestId.of(1));
    Response rewritten = original.withResult(tree("{\"ok\":false}"));

    assertThat(original.json()).isEqualTo(tree(json));
    assertThat(renumbered.json().get("id").intValue()).isEqualTo(1);
    assertThat(renumbered.id()).isEqualTo(RequestId.of(1));
    assertThat(rewritten.result()).isEqualTo(tree("{\"ok\":false}"));
  }

  @Test
  void factoriesBuildTheWireShape() {
    assertThat(tree(codec.encodeToString(Request.of(RequestId.of(1), "ping", null))))
        .isEqualTo(tree("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"));
    assertThat(tree(codec.encodeToString(Notification.of("notifications/tools/list_changed", null))))
        .isEqualTo(tree("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}"));
    assertThat(tree(codec.encodeToString(Response.result(RequestId.of("x"), null))))
        .isEqualTo(tree("{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"result\":{}}"));
  }

  @Test
  void encodedMessageDecodesToAnEqualMessage() throws Exception {
    Request r = Request.of(RequestId.of("α-1"), "tools/call",
        JsonNodeFactory.instance.objectNode().put("name", "naïve \"quoted\"\n"));

    Message back = codec.decodeOne(codec.encode(r));

    assertThat(back).isEqualTo(r);
  }
}
