package dev.aegis.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.Notification;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.RequestId;
import dev.aegis.protocol.Response;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

class PipelineTest {
  private static final SessionInfo SESSION = new SessionInfo("s1", "stdio", "local");
  private final List<String> trail = Collections.synchronizedList(new ArrayList<>());
  private final RecordingListener listener = new RecordingListener();

  /** An interceptor with a readable name, whose behaviour is a function of its chain. */
  record Named(String name, ChainFunction body) implements Interceptor {
    @Override
    public Reply intercept(Chain chain) throws Exception {
      return body.apply(chain);
    }
  }

  @FunctionalInterface
  interface ChainFunction {
    Reply apply(Chain chain) throws Exception;
  }

  /** Records each finished exchange. */
  static final class RecordingListener implements ExchangeListener {
    final List<Exchange> exchanges = Collections.synchronizedList(new ArrayList<>());
    final List<Response> replies = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void onExchange(Exchange exchange, Response reply, long endNanos) {
      exchanges.add(exchange);
      replies.add(reply);
    }
  }

  private Interceptor passing(String name) {
    return new Named(name, chain -> {
      trail.add(name);
      return chain.proceed(chain.message());
    });
  }

  /** The terminal link: answers a request with a result naming the method and echoing the params it received. */
  private Interceptor terminal() {
    return new Named("terminal", chain -> {
      trail.add("terminal");
      if (chain.message() instanceof Request r) {
        ObjectNode result = JsonNodeFactory.instance.objectNode().put("method", r.method());
        if (r.params() != null) {
          result.set("params", r.params());
        }
        return Reply.of(Response.result(r.id(), result));
      }
      return Reply.none();
    });
  }

  private static Exchange exchange(Message m) {
    return new Exchange(SESSION, Direction.TO_SERVER, m, new Target("fs", "read_file"), System.nanoTime());
  }

  private static Request request() {
    return Request.of(RequestId.of(1), "tools/call", JsonNodeFactory.instance.objectNode().put("name", "read_file"));
  }

  private static Response now(Reply reply) {
    assertThat(reply).isInstanceOf(Reply.Ready.class);
    return ((Reply.Ready) reply).response();
  }

  @Test
  void interceptorsRunInOrderThenTheTerminal() {
    Pipeline p = new Pipeline(List.of(passing("a"), passing("b"), passing("c"), terminal()), listener);

    Response r = now(p.send(exchange(request())));

    assertThat(trail).containsExactly("a", "b", "c", "terminal");
    assertThat(r.result().get("method").stringValue()).isEqualTo("tools/call");
  }

  @Test
  void rewrittenMessageIsWhatLaterLinksSeeWhileExchangeKeepsTheOriginal() {
    Interceptor rewrite = new Named("rewrite", chain -> {
      Request r = (Request) chain.message();
      return chain.proceed(r.withParams(JsonNodeFactory.instance.objectNode().put("name", "safe_read")));
    });
    List<Message> seenByLater = new ArrayList<>();
    Interceptor observe = new Named("observe", chain -> {
      seenByLater.add(chain.message());
      return chain.proceed(chain.message());
    });
    Request original = request();
    Exchange ex = exchange(original);

    Response r = now(new Pipeline(List.of(rewrite, observe, terminal()), listener).send(ex));

    assertThat(r.result().path("params").path("name").stringValue()).isEqualTo("safe_read");
    assertThat(((Request) seenByLater.get(0)).params().get("name").stringValue()).isEqualTo("safe_read");
    assertThat(ex.original()).isSameAs(original);
    assertThat(original.params().get("name").stringValue()).isEqualTo("read_file");
  }

  @Test
  void interceptorThatMapsTheReplyChangesWhatTheSenderGets() {
    Interceptor redact = new Named("redact", chain -> chain.proceed(chain.message())
        .map(resp -> resp.withResult(JsonNodeFactory.instance.objectNode().put("redacted", true))));

    Response r = now(new Pipeline(List.of(redact, terminal()), listener).send(exchange(request())));

    assertThat(r.result().get("redacted").booleanValue()).isTrue();
    assertThat(listener.replies).containsExactly(r);
  }

  @Test
  void blockingInterceptorAnswersAndLaterLinksNeverRun() {
    Interceptor deny = new Named("deny", chain -> {
      trail.add("deny");
      return Reply.error(chain.message(), JsonRpcError.BLOCKED, "deletes are not allowed");
    });

    Response r = now(new Pipeline(List.of(passing("a"), deny, passing("b"), terminal()), listener)
        .send(exchange(request())));

    assertThat(trail).containsExactly("a", "deny");
    assertThat(r.id()).isEqualTo(RequestId.of(1));
    assertThat(r.error().code()).isEqualTo(JsonRpcError.BLOCKED);
    assertThat(r.error().message()).isEqualTo("deletes are not allowed");
  }

  @Test
  void proceedingTwiceFailsClosedNamingTheInterceptor() {
    Interceptor greedy = new Named("greedy", chain -> {
      chain.proceed(chain.message());
      return chain.proceed(chain.message());
    });
    Exchange ex = exchange(request());

    Response r = now(new Pipeline(List.of(passing("a"), greedy, terminal()), listener).send(ex));

    assertThat(r.error().code()).isEqualTo(JsonRpcError.BLOCKED);
    assertThat(r.error().message())
        .isEqualTo("Blocked by Aegis: greedy failed: interceptor greedy called proceed() more than once");
    assertThat(r.id()).isEqualTo(RequestId.of(1));
    assertThat(ex.decisions()).containsExactly(new Decision("greedy", "fail-closed",
        "greedy failed: interceptor greedy called proceed() more than once"));
  }

  @Test
  void throwingInterceptorFailsClosedAndRecordsTheDecision() {
    Interceptor broken = new Named("broken", chain -> {
      throw new IllegalStateException("policy store unavailable");
    });
    Exchange ex = exchange(request());

    Response r = now(new Pipeline(List.of(broken, terminal()), listener).send(ex));

    assertThat(trail).isEmpty();
    assertThat(r.error().code()).isEqualTo(JsonRpcError.BLOCKED);
    assertThat(r.error().message()).isEqualTo("Blocked by Aegis: broken failed: policy store unavailable");
    assertThat(ex.decisions()).singleElement().satisfies(d -> {
      assertThat(d.by()).isEqualTo("broken");
      assertThat(d.effect()).isEqualTo("fail-closed");
      assertThat(d.reason()).contains("policy store unavailable");
    });
    assertThat(listener.replies).containsExactly(r);
  }

  @Test
  void checkedExceptionFailsClosedToo() {
    Interceptor broken = new Named("io", chain -> {
      throw new java.io.IOException("disk gone");
    });

    Response r = now(new Pipeline(List.of(broken, terminal()), listener).send(exchange(request())));

    assertThat(r.error().message()).isEqualTo("Blocked by Aegis: io failed: disk gone");
  }

  @Test
  void throwingInterceptorOnANotificationDropsItAndRecordsTheDecision() {
    Interceptor broken = new Named("broken", chain -> {
      throw new IllegalStateException("nope");
    });
    Exchange ex = exchange(Notification.of("notifications/progress", null));

    Reply reply = new Pipeline(List.of(broken, terminal()), listener).send(ex);

    assertThat(reply).isInstanceOf(Reply.Empty.class);
    assertThat(trail).isEmpty();
    assertThat(ex.decisions()).extracting(Decision::effect).containsExactly("fail-closed");
    assertThat(listener.replies).containsExactly((Response) null);
  }

  @Test
  void nullReplyFailsClosedNamingTheInterceptor() {
    Interceptor nullish = new Named("nullish", chain -> null);
    Exchange ex = exchange(request());

    Response r = now(new Pipeline(List.of(nullish, terminal()), listener).send(ex));

    assertThat(r.error().code()).isEqualTo(JsonRpcError.BLOCKED);
    assertThat(r.error().message()).isEqualTo("Blocked by Aegis: nullish failed: returned a null reply");
    assertThat(ex.decisions()).extracting(Decision::by).containsExactly("nullish");
  }

  @Test
  void emptyReplyToARequestFailsClosed() {
    Interceptor silent = new Named("silent", chain -> Reply.none());

    Response r = now(new Pipeline(List.of(silent, terminal()), listener).send(exchange(request())));

    assertThat(r.error().message()).isEqualTo("Blocked by Aegis: silent failed: returned no reply to a request");
  }

  @Test
  void proceedingWithNullFailsClosedNamingTheInterceptor() {
    Interceptor loses = new Named("loses", chain -> chain.proceed(null));

    Response r = now(new Pipeline(List.of(loses, terminal()), listener).send(exchange(request())));

    assertThat(trail).isEmpty();
    assertThat(r.error().message())
        .isEqualTo("Blocked by Aegis: loses failed: interceptor loses proceeded with a null message");
  }

  @Test
  void terminalThatCallsProceedFailsClosed() {
    Interceptor bad = new Named("router", chain -> chain.proceed(chain.message()));
    Exchange ex = exchange(request());

    Response r = now(new Pipeline(List.of(passing("a"), bad), listener).send(ex));

    assertThat(r.error().code()).isEqualTo(JsonRpcError.BLOCKED);
    assertThat(r.error().message())
        .isEqualTo("Blocked by Aegis: router failed: the terminal interceptor router must not call proceed()");
    assertThat(ex.decisions()).extracting(Decision::by).containsExactly("router");
  }

  @Test
  void readyReplyMapsNow() {
    Response base = Response.result(RequestId.of(5), null);

    Reply mapped = Reply.of(base).map(r -> r.withResult(JsonNodeFactory.instance.objectNode().put("n", 1)));

    assertThat(now(mapped).result().get("n").intValue()).isEqualTo(1);
  }

  @Test
  void pendingReplyMapsWhenTheResponseArrives() throws Exception {
    CompletableFuture<Response> upstream = new CompletableFuture<>();
    List<String> calls = new ArrayList<>();

    Reply mapped = Reply.later(upstream).map(r -> {
      calls.add("mapped");
      return r.withResult(JsonNodeFactory.instance.objectNode().put("n", 2));
    });

    assertThat(calls).isEmpty();
    upstream.complete(Response.result(RequestId.of(5), null));
    Response r = ((Reply.Pending) mapped).future().get(5, TimeUnit.SECONDS);
    assertThat(calls).containsExactly("mapped");
    assertThat(r.result().get("n").intValue()).isEqualTo(2);
  }

  @Test
  void emptyReplyStaysEmptyAndNeverRunsTheMap() {
    Reply mapped = Reply.none().map(r -> {
      throw new AssertionError("must not run");
    });

    assertThat(mapped).isSameAs(Reply.none());
  }

  @Test
  void throwingMapOnReadyBecomesBlockedErrorWithTheSameId() {
    Reply mapped = Reply.of(Response.result(RequestId.of("x"), null)).map(r -> {
      throw new IllegalArgumentException("redactor broke");
    });

    Response r = now(mapped);
    assertThat(r.id()).isEqualTo(RequestId.of("x"));
    assertThat(r.error().code()).isEqualTo(JsonRpcError.BLOCKED);
    assertThat(r.error().message())
        .isEqualTo("Blocked by Aegis: a reply transformation failed: java.lang.IllegalArgumentException: redactor broke");
  }

  @Test
  void throwingMapOnPendingBecomesBlockedErrorNotAFailedFuture() throws Exception {
    CompletableFuture<Response> upstream = new CompletableFuture<>();
    Reply mapped = Reply.later(upstream).map(r -> {
      throw new IllegalStateException("late failure");
    });

    upstream.complete(Response.result(RequestId.of(9), null));

    Response r = ((Reply.Pending) mapped).future().get(5, TimeUnit.SECONDS);
    assertThat(r.id()).isEqualTo(RequestId.of(9));
    assertThat(r.error().code()).isEqualTo(JsonRpcError.BLOCKED);
  }

  @Test
  void mapReturningNullBecomesBlockedError() {
    Response r = now(Reply.of(Response.result(RequestId.of(1), null)).map(x -> null));

    assertThat(r.error().message()).isEqualTo("Blocked by Aegis: a reply transformation returned null");
  }

  @Test
  void errorReplyToANotificationIsEmpty() {
    assertThat(Reply.error(Notification.of("x", null), JsonRpcError.BLOCKED, "no")).isSameAs(Reply.none());
  }

  @Test
  void listenerHearsOnceWithTheFinalReplyOfARequest() {
    Interceptor mapper = new Named("mapper", chain -> chain.proceed(chain.message())
        .map(resp -> resp.withResult(JsonNodeFactory.instance.objectNode().put("final", true))));
    Exchange ex = exchange(request());

    Response r = now(new Pipeline(List.of(mapper, terminal()), listener).send(ex));

    assertThat(listener.exchanges).containsExactly(ex);
    assertThat(listener.replies).containsExactly(r);
    assertThat(r.result().get("final").booleanValue()).isTrue();
  }

  @Test
  void listenerHearsOnceWithNullForANotification() {
    Exchange ex = exchange(Notification.of("notifications/initialized", null));

    Reply reply = new Pipeline(List.of(passing("a"), terminal()), listener).send(ex);

    assertThat(reply).isSameAs(Reply.none());
    assertThat(trail).containsExactly("a", "terminal");
    assertThat(listener.exchanges).containsExactly(ex);
    assertThat(listener.replies).containsExactly((Response) null);
  }

  @Test
  void listenerOfAPendingReplyHearsOnlyWhenTheResponseArrives() throws Exception {
    CompletableFuture<Response> upstream = new CompletableFuture<>();
    Interceptor async = new Named("async", chain -> Reply.later(upstream));
    Pipeline p = new Pipeline(List.of(passing("a"), async), listener);

    Reply reply = p.send(exchange(request()));

    assertThat(listener.replies).isEmpty();
    Response answer = Response.result(RequestId.of(1), null);
    upstream.complete(answer);
    assertThat(((Reply.Pending) reply).future().get(5, TimeUnit.SECONDS)).isEqualTo(answer);
    assertThat(listener.replies).containsExactly(answer);
  }

  @Test
  void throwingListenerDoesNotBreakTheCallAndIsCounted() {
    Pipeline p = new Pipeline(List.of(terminal()), (exchange, reply, end) -> {
      throw new IllegalStateException("listener bug");
    });

    Response first = now(p.send(exchange(request())));
    Reply second = p.send(exchange(Notification.of("notifications/initialized", null)));

    assertThat(first.isError()).isFalse();
    assertThat(second).isSameAs(Reply.none());
    assertThat(p.listenerFailures()).isEqualTo(2);
  }

  @Test
  void decisionsRecordedByGuardsReachTheListener() {
    Interceptor guard = new Named("guard", chain -> {
      chain.exchange().record(new Decision("guard", "allow", "read-only tool"));
      return chain.proceed(chain.message());
    });

    new Pipeline(List.of(guard, terminal()), listener).send(exchange(request()));

    assertThat(listener.exchanges.get(0).decisions())
        .containsExactly(new Decision("guard", "allow", "read-only tool"));
  }

  @Test
  void withTerminalReplacesOnlyTheLastLink() {
    Pipeline p = new Pipeline(List.of(passing("a"), terminal()), listener);
    Pipeline swapped = p.withTerminal(new Named("other", chain -> {
      trail.add("other");
      return Reply.error(chain.message(), JsonRpcError.UPSTREAM_UNAVAILABLE, "down");
    }));

    Response r = now(swapped.send(exchange(request())));

    assertThat(trail).containsExactly("a", "other");
    assertThat(r.error().code()).isEqualTo(JsonRpcError.UPSTREAM_UNAVAILABLE);
    assertThat(listener.replies).containsExactly(r);
  }

  @Test
  void pipelineRefusesToBeEmptyAndRefusesResponses() {
    assertThatThrownBy(() -> new Pipeline(List.of(), listener))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a pipeline needs at least its terminal interceptor");
    Pipeline p = new Pipeline(List.of(terminal()), listener);
    Response response = Response.result(RequestId.of(1), null);
    assertThatThrownBy(() -> p.send(new Exchange(SESSION, Direction.TO_CLIENT, response, null, 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("only requests and notifications travel the chain");
  }

  @Test
  void exchangeMethodComesFromTheOriginalMessage() {
    assertThat(exchange(request()).method()).isEqualTo("tools/call");
    assertThat(exchange(Notification.of("notifications/progress", null)).method())
        .isEqualTo("notifications/progress");
  }

  @Test
  void interceptorDefaultNameIsItsClassName() {
    assertThat(new DenyAll().name()).isEqualTo("DenyAll");
  }

  static final class DenyAll implements Interceptor {
    @Override
    public Reply intercept(Chain chain) {
      return Reply.error(chain.message(), JsonRpcError.BLOCKED, "denied");
    }
  }
}
