package dev.aegis.audit;

import dev.aegis.chain.Decision;
import dev.aegis.chain.Direction;
import dev.aegis.chain.Exchange;
import dev.aegis.chain.SessionInfo;
import dev.aegis.chain.Target;
import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.Notification;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.RequestId;
import dev.aegis.protocol.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/** Exchanges of every shape for audit tests, and helpers to read and rewrite log files. */
final class AuditFixtures {
  static final SessionInfo SESSION = new SessionInfo("s-42", "http", "local");

  private AuditFixtures() {}

  /** Feeds exchange number {@code i}: a call that succeeds, fails, or a notification, in turn. */
  static void feed(AuditLog log, int i) {
    switch (i % 3) {
      case 0 -> {
        Request call = Request.of(RequestId.of(i), "tools/call", JsonNodeFactory.instance.objectNode()
            .put("name", "read_file").set("arguments", JsonNodeFactory.instance.objectNode().put("path", "/etc/secret")));
        Exchange ok = new Exchange(SESSION, Direction.TO_SERVER, call, new Target("fs", "read_file"), 1_000_000);
        ok.record(new Decision("guard", "allow", "read-only"));
        log.onExchange(ok, Response.result(RequestId.of(i),
            JsonNodeFactory.instance.objectNode().put("content", "TOP SECRET RESULT")), 3_500_000);
      }
      case 1 -> {
        Exchange failed = new Exchange(SESSION, Direction.TO_SERVER, Request.of(RequestId.of(i), "prompts/get", null),
            new Target("docs", "summary"), 0);
        failed.record(new Decision("policy", "block", "prompt not allowed"));
        log.onExchange(failed, Response.error(RequestId.of(i), JsonRpcError.of(JsonRpcError.BLOCKED, "blocked")),
            2_000);
      }
      default -> log.onExchange(new Exchange(SESSION, Direction.TO_CLIENT,
          Notification.of("notifications/progress", null), null, 0), null, 5_000);
    }
  }

  /** A log in {@code home/audit} with {@code n} exchanges, small files and frequent checkpoints, closed. */
  static void write(Path home, int n, long maxFileBytes, int checkpointEvery) throws Exception {
    try (AuditLog log = AuditLog.open(home.resolve("audit"), home.resolve("keys"), AuditLog.Options.defaults()
        .withMaxFileBytes(maxFileBytes).withCheckpointEvery(checkpointEvery))) {
      for (int i = 0; i < n; i++) {
        feed(log, i);
        if (i % 50 == 49) {
          log.flush(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  static List<String> read(Path file) throws IOException {
    return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
  }

  static void rewrite(Path file, List<String> lines) throws IOException {
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
  }

  static List<JsonNode> records(Path dir) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (AuditFiles.Line l : AuditFiles.allLines(dir)) {
      if (l.complete()) {
        out.add(Canonical.mapper().readTree(l.text()));
      }
    }
    return out;
  }
}
