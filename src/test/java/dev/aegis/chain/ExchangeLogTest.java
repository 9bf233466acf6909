package dev.aegis.chain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.Notification;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.RequestId;
import dev.aegis.protocol.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

class ExchangeLogTest {
  private static final SessionInfo SESSION = new SessionInfo("s-42", "http", "local");
  private final JsonMapper mapper = JsonMapper.builder().build();

  @TempDir
  Path dir;

  private List<JsonNode> lines(Path file) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      out.add(mapper.readTree(line));
    }
    return out;
  }

  @Test
  void writesOneJsonLinePerExchangeWithoutPayloads() throws Exception {
    Path file = dir.resolve("logs/nested/exchanges.jsonl");
    Request call = Request.of(RequestId.of(1), "tools/call", JsonNodeFactory.instance.objectNode()
        .put("name", "read_file").set("arguments", JsonNodeFactory.instance.objectNode().put("path", "/etc/secret")));
    Exchange ok = new Exchange(SESSION, Direction.TO_SERVER, call, new Target("fs", "read_file"), 1_000_000);
    ok.record(new Decision("guard", "allow", "read-only"));
    Exchange failed = new Exchange(SESSION, Direction.TO_SERVER, Request.of(RequestId.of(2), "prompts/get", null),
        new Target("fs", null), 0);
    Exchange note = new Exchange(SESSION, Direction.TO_CLIENT, Notification.of("notifications/progress", null),
        null, 0);

    ExchangeLog log = ExchangeLog.open(file);
    log.onExchange(ok, Response.result(RequestId.of(1),
        JsonNodeFactory.instance.objectNode().put("content", "TOP SECRET RESULT")), 3_500_000);
    log.onExchange(failed, Response.error(RequestId.of(2), JsonRpcError.of(JsonRpcError.BLOCKED, "x".repeat(400))),
        2_000);
    log.onExchange(note, null, 5_000);
    log.close();

    String raw = Files.readString(file, StandardCharsets.UTF_8);
    assertThat(raw).endsWith("\n").doesNotContain("/etc/secret").doesNotContain("TOP SECRET RESULT");
    List<JsonNode> records = lines(file);
    assertThat(records).hasSize(3);
    assertThat(log.written()).isEqualTo(3);
    assertThat(log.dropped()).isZero();

    JsonNode first = records.get(0);
    assertThat(first.propertyNames()).containsExactlyInAnyOrder("ts", "session", "transport", "principal",
        "direction", "method", "server", "name", "outcome", "micros", "decisions");
    assertThat(first.get("session").stringValue()).isEqualTo("s-42");
    assertThat(first.get("transport").stringValue()).isEqualTo("http");
    assertThat(first.get("direction").stringValue()).isEqualTo("TO_SERVER");
    assertThat(first.get("method").stringValue()).isEqualTo("tools/call");
    assertThat(first.get("server").stringValue()).isEqualTo("fs");
    assertThat(first.get("name").stringValue()).isEqualTo("read_file");
    assertThat(first.get("outcome").stringValue()).isEqualTo("ok");
    assertThat(first.get("micros").longValue()).isEqualTo(2_500);
    assertThat(first.get("decisions")).isEqualTo(mapper.readTree(
        "[{\"by\":\"guard\",\"effect\":\"allow\",\"reason\":\"read-only\"}]"));

    JsonNode second = records.get(1);
    assertThat(second.has("name")).isFalse();
    assertThat(second.has("decisions")).isFalse();
    assertThat(second.get("outcome").stringValue()).isEqualTo("error");
    assertThat(second.get("errorCode").intValue()).isEqualTo(JsonRpcError.BLOCKED);
    assertThat(second.get("error").stringValue()).hasSize(300);

    JsonNode third = records.get(2);
    assertThat(third.get("outcome").stringValue()).isEqualTo("notification");
    assertThat(third.get("direction").stringValue()).isEqualTo("TO_CLIENT");
    assertThat(third.has("server")).isFalse();
  }

  @Test
  void appendsToAnExistingFile() throws Exception {
    Path file = dir.resolve("exchanges.jsonl");
    Exchange ex = new Exchange(SESSION, Direction.TO_SERVER, Notification.of("notifications/initialized", null),
        null, 0);

    for (int run = 0; run < 2; run++) {
      ExchangeLog log = ExchangeLog.open(file);
      log.onExchange(ex, null, 0);
      log.close();
    }

    assertThat(lines(file)).hasSize(2);
  }

  @Test
  void listenerInAPipelineLogsEachExchange() throws Exception {
    Path file = dir.resolve("exchanges.jsonl");
    ExchangeLog log = ExchangeLog.open(file);
    Pipeline p = new Pipeline(List.of(chain -> Reply.of(Response.result(((Request) chain.message()).id(), null))),
        log);

    for (int i = 0; i < 100; i++) {
      p.send(new Exchange(SESSION, Direction.TO_SERVER, Request.of(RequestId.of(i), "ping", null), null, 0));
    }
    log.close();

    assertThat(lines(file)).hasSize(100).allSatisfy(r -> assertThat(r.get("method").stringValue()).isEqualTo("ping"));
    assertThat(p.listenerFailures()).isZero();
  }
}
