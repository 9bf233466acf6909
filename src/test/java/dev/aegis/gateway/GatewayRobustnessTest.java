package dev.aegis.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.aegis.chain.ExchangeListener;
import dev.aegis.config.GatewayConfig;
import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.Notification;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.RequestId;
import dev.aegis.protocol.Response;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The robustness promises of the gateway, each against real child processes (the bundled example server) over the
 * real stdio transport: bad input gets the right JSON-RPC error and the session carries on; a crashed or hung
 * upstream fails its calls within a bounded time, is restarted, and the host hears the list changed; other
 * upstreams carry on.
 */
@Timeout(120)
class GatewayRobustnessTest {
  private final TestServers.CapturedLog log = new TestServers.CapturedLog();
  private Gateway gateway;
  private FakeHost host;

  private FakeHost start(GatewayConfig config) throws Exception {
    gateway = new Gateway(config, List.of(), ExchangeListener.NONE, log.log);
    host = new FakeHost(gateway);
    Response init = host.initialize();
    assertThat(init.isError()).as("initialize: %s", init.json()).isFalse();
    host.send(Notification.of("notifications/initialized", null));
    return host;
  }

  private FakeHost startTwo(Duration timeout) throws Exception {
    return start(TestServers.config(timeout, 1 << 20, TestServers.example("a", "a"), TestServers.example("b", "b")));
  }

  @AfterEach
  void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  private static String text(Response r) {
    assertThat(r.isError()).as("error reply: %s", r.json()).isFalse();
    return r.result().path("content").path(0).path("text").asString();
  }

  @Test
  void malformedJsonGetsParseErrorAndTheSessionCarriesOn() throws Exception {
    startTwo(Duration.ofSeconds(10));
    host.sendRaw("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":");
    Message m = host.await(x -> x instanceof Response r && r.id() == null, FakeHost.WAIT);
    assertThat(((Response) m).error().code()).isEqualTo(JsonRpcError.PARSE_ERROR);
    assertThat(text(host.call("a__echo", "{\"message\":\"still here\"}"))).isEqualTo("Echo: still here");
  }

  @Test
  void wrongJsonRpcShapesGetInvalidRequestWithTheirIdWhenReadable() throws Exception {
    startTwo(Duration.ofSeconds(10));
    host.sendRaw("{\"id\":7,\"method\":\"ping\"}");
    Response noVersion = host.responseTo(RequestId.of(7), FakeHost.WAIT);
    assertThat(noVersion.error().code()).isEqualTo(JsonRpcError.INVALID_REQUEST);
    host.sendRaw("{\"jsonrpc\":\"2.0\",\"id\":{\"x\":1},\"method\":\"ping\"}");
    host.sendRaw("[1,2]");
    host.sendRaw("\"just a string\"");
    for (int i = 0; i < 4; i++) {
      Message m = host.await(x -> x instanceof Response r && r.id() == null, FakeHost.WAIT);
      assertThat(m).as("error reply %d", i).isNotNull();
      assertThat(((Response) m).error().code()).isEqualTo(JsonRpcError.INVALID_REQUEST);
    }
    assertThat(host.request("ping", null).isError()).isFalse();
  }

  @Test
  void oversizeMessageIsRefusedWithoutBufferingItAndTheStreamStaysInSync() throws Exception {
    start(TestServers.config(Duration.ofSeconds(10), 4096, TestServers.example("a", "a")));
    String huge = "{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":\"tools/call\",\"params\":{\"name\":\"a__echo\","
        + "\"arguments\":{\"message\":\"" + "x".repeat(100_000) + "\"}}}";
    host.sendRaw(huge);
    Message m = host.await(x -> x instanceof Response r && r.isError()
        && r.error().code() == JsonRpcError.MESSAGE_TOO_LARGE, FakeHost.WAIT);
    assertThat(m).isNotNull();
    assertThat(((Response) m).error().message()).contains("exceeds the limit of 4096");
    assertThat(text(host.call("a__echo", "{\"message\":\"next\"}"))).isEqualTo("Echo: next");
  }

  @Test
  void oversizeReplyFromAnUpstreamIsNotPassedOn() throws Exception {
    start(TestServers.config(Duration.ofSeconds(3), 8192, TestServers.example("a", "a")));
    Response r = host.call("a__big", "{\"bytes\":100000}");
    assertThat(r.isError()).isTrue();
    assertThat(r.error().code()).isEqualTo(JsonRpcError.UPSTREAM_TIMEOUT);
    assertThat(log.text()).contains("exceeds the limit of 8192");
  }

  @Test
  void unknownMethodIsMethodNotFoundWhenNoSingleServerCanBeMeant() throws Exception {
    startTwo(Duration.ofSeconds(10));
    Response r = host.request("vendor/custom", "{\"x\":1}");
    assertThat(r.error().code()).isEqualTo(JsonRpcError.METHOD_NOT_FOUND);
    assertThat(r.error().message()).contains("vendor/custom").contains("2 servers");
  }

  @Test
  void unknownMethodIsForwardedIntactToASingleServer() throws Exception {
    start(TestServers.config(Duration.ofSeconds(10), 1 << 20, TestServers.example("a", "a")));
    Response r = host.request("vendor/custom", "{\"x\":1}");
    // the example server's own answer, not the gateway's
    assertThat(r.error().code()).isEqualTo(JsonRpcError.METHOD_NOT_FOUND);
    assertThat(r.error().message()).isEqualTo("Method not found: vendor/custom");
  }

  @Test
  void unknownToolIsAnInvalidParamsError() throws Exception {
    startTwo(Duration.ofSeconds(10));
    Response r = host.call("a__nope", null);
    assertThat(r.error().code()).isEqualTo(JsonRpcError.INVALID_PARAMS);
    assertThat(r.error().message()).isEqualTo("Unknown tool: a__nope");
  }

  @Test
  void crashedUpstreamFailsItsCallIsRestartedAndTheHostHearsTheListChanged() throws Exception {
    startTwo(Duration.ofSeconds(10));
    assertThat(text(host.call("a__counter", null))).isEqualTo("1");
    Response crashed = host.call("a__crash", null);
    assertThat(crashed.error().code()).isEqualTo(JsonRpcError.UPSTREAM_UNAVAILABLE);
    assertThat(crashed.error().message()).contains("'a'").contains("exited with code 3");
    // the other upstream is unaffected
    assertThat(text(host.call("b__echo", "{\"message\":\"b lives\"}"))).isEqualTo("Echo: b lives");
    Message changed = host.await(m -> m instanceof Notification n
        && n.method().equals("notifications/tools/list_changed"), FakeHost.WAIT);
    assertThat(changed).as("tools/list_changed after restart").isNotNull();
    // a fresh process: its counter starts again
    assertThat(text(host.call("a__counter", null))).isEqualTo("1");
  }

  @Test
  void hungCallFailsWithinTheTimeoutAndTheServerStaysUsable() throws Exception {
    startTwo(Duration.ofMillis(800));
    long start = System.nanoTime();
    Response hung = host.call("a__hang", null);
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertThat(hung.error().code()).isEqualTo(JsonRpcError.UPSTREAM_TIMEOUT);
    assertThat(hung.error().message()).contains("did not answer tools/call within 800 ms");
    assertThat(ms).isLessThan(5000);
    // it answers pings, so it is not restarted
    assertThat(text(host.call("a__counter", null))).isEqualTo("2");
  }

  @Test
  void frozenUpstreamIsDeclaredHungAndRestarted() throws Exception {
    startTwo(Duration.ofMillis(800));
    host.call("a__freeze", null);
    Response r = host.call("a__echo", "{\"message\":\"x\"}");
    assertThat(r.error().code()).isIn(JsonRpcError.UPSTREAM_TIMEOUT, JsonRpcError.UPSTREAM_UNAVAILABLE);
    await().atMost(Duration.ofSeconds(30)).until(() -> log.text().contains("upstream a hung"));
    Message changed = host.await(m -> m instanceof Notification n
        && n.method().equals("notifications/tools/list_changed"), FakeHost.WAIT);
    assertThat(changed).isNotNull();
    assertThat(text(host.call("a__echo", "{\"message\":\"back\"}"))).isEqualTo("Echo: back");
    assertThat(text(host.call("b__echo", "{\"message\":\"b\"}"))).isEqualTo("Echo: b");
  }

  @Test
  void upstreamStderrGoesToTheLog() throws Exception {
    startTwo(Duration.ofSeconds(10));
    host.call("b__stderr", "{\"text\":\"hello from b's stderr\"}");
    await().atMost(Duration.ofSeconds(10)).until(() -> log.text().contains("[b] hello from b's stderr"));
  }

  @Test
  void hostDisconnectMidCallClosesTheSessionAndStopsItsServers() throws Exception {
    startTwo(Duration.ofSeconds(30));
    assertThat(ProcessHandle.current().children().count()).isEqualTo(2);
    host.send(Request.of(RequestId.of(500), "tools/call", host.json("{\"name\":\"a__slow\",\"arguments\":{\"ms\":20000}}")));
    host.closeInput();
    assertThat(host.serverDone(Duration.ofSeconds(20))).isTrue();
    await().atMost(Duration.ofSeconds(20)).until(() -> ProcessHandle.current().children().count() == 0);
    assertThat(gateway.sessionCount()).isZero();
  }

  @Test
  void serverInitiatedSamplingIsRoutedToTheHostAndTheAnswerBack() throws Exception {
    startTwo(Duration.ofSeconds(10));
    RequestId callId = RequestId.of("call-1");
    host.send(Request.of(callId, "tools/call", host.json("{\"name\":\"b__sample\",\"arguments\":{\"prompt\":\"hi\"}}")));
    Message asked = host.await(m -> m instanceof Request r && r.method().equals("sampling/createMessage"),
        FakeHost.WAIT);
    assertThat(asked).isNotNull();
    Request sampling = (Request) asked;
    ObjectNode answer = JsonNodeFactory.instance.objectNode();
    answer.put("role", "assistant");
    answer.putObject("content").put("type", "text").put("text", "canned answer");
    answer.put("model", "test");
    // the host reports progress on the server's request before answering it; it must reach that server only
    String token = sampling.params().path("_meta").path("progressToken").asString();
    assertThat(token).startsWith("sample-");
    host.send(Notification.of("notifications/progress",
        host.json("{\"progressToken\":\"" + token + "\",\"progress\":1}")));
    host.send(Response.result(sampling.id(), answer));
    Response r = host.responseTo(callId, FakeHost.WAIT);
    assertThat(text(r)).isEqualTo("sampled: canned answer");
    assertThat(text(host.call("b__progress_seen", null))).isEqualTo("1");
    assertThat(text(host.call("a__progress_seen", null))).isEqualTo("0");
  }

  @Test
  void requestIdsComeBackAsTheHostSentThemEvenWhenTheyLookAlike() throws Exception {
    startTwo(Duration.ofSeconds(10));
    host.send(Request.of(RequestId.of("5"), "tools/call", host.json("{\"name\":\"a__slow\",\"arguments\":{\"ms\":300}}")));
    host.send(Request.of(RequestId.of(5), "tools/call", host.json("{\"name\":\"b__echo\",\"arguments\":{\"message\":\"n\"}}")));
    Response numeric = host.responseTo(RequestId.of(5), FakeHost.WAIT);
    Response text = host.responseTo(RequestId.of("5"), FakeHost.WAIT);
    assertThat(text(numeric)).isEqualTo("Echo: n");
    assertThat(text(text)).isEqualTo("slept 300 ms");
    assertThat(host.rawLines()).anyMatch(l -> l.contains("\"id\":\"5\"")).anyMatch(l -> l.contains("\"id\":5,"));
  }

  @Test
  void listChangedFromAnUpstreamReachesTheHostAndTheNewToolIsCallable() throws Exception {
    startTwo(Duration.ofSeconds(10));
    host.call("a__change_tools", null);
    assertThat(host.await(m -> m instanceof Notification n && n.method().equals("notifications/tools/list_changed"),
        FakeHost.WAIT)).isNotNull();
    Response list = host.request("tools/list", null);
    assertThat(list.result().path("tools").toString()).contains("\"a__extra\"");
    assertThat(text(host.call("a__extra", null))).isEqualTo("extra");
  }

  @Test
  void aCancelledCallIsNeverAnsweredAndTheSessionCarriesOn() throws Exception {
    startTwo(Duration.ofSeconds(10));
    RequestId cancelled = RequestId.of("to-cancel");
    host.send(Request.of(cancelled, "tools/call", host.json("{\"name\":\"a__slow\",\"arguments\":{\"ms\":300}}")));
    host.send(Notification.of("notifications/cancelled", host.json("{\"requestId\":\"to-cancel\",\"reason\":\"user\"}")));
    // a later call to the same server that finishes after the cancelled one would have
    assertThat(text(host.call("a__slow", "{\"ms\":900}"))).isEqualTo("slept 900 ms");
    assertThat(host.responseTo(cancelled, Duration.ZERO)).as("a reply to the cancelled request").isNull();
  }

  @Test
  void aRestartedServerGetsTheHostsSubscriptionsAndLogLevelBack() throws Exception {
    startTwo(Duration.ofSeconds(10));
    assertThat(host.request("resources/subscribe", "{\"uri\":\"example://greeting\"}").isError()).isFalse();
    assertThat(host.request("logging/setLevel", "{\"level\":\"debug\"}").isError()).isFalse();
    assertThat(text(host.call("a__state", null))).isEqualTo("subscribed=[example://greeting] level=debug");
    host.call("a__crash", null);
    assertThat(host.await(m -> m instanceof Notification n && n.method().equals("notifications/tools/list_changed"),
        FakeHost.WAIT)).isNotNull();
    // replayed before the host heard of the restart, on the same pipe, so the new process has it by now
    assertThat(text(host.call("a__state", null))).isEqualTo("subscribed=[example://greeting] level=debug");
  }
}
