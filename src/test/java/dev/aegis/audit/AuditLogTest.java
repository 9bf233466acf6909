package dev.aegis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.chain.Direction;
import dev.aegis.chain.Exchange;
import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.RequestId;
import dev.aegis.protocol.Response;
import dev.aegis.chain.Target;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class AuditLogTest {
  @TempDir
  Path home;

  private AuditVerifier.Report verify() throws Exception {
    return AuditVerifier.verify(home.resolve("audit"),
        AuditKeys.loadPublic(home.resolve("keys").resolve(AuditKeys.PUBLIC_FILE)));
  }

  @Test
  void chainStaysIntactAcrossManyRecordsAndRotations() throws Exception {
    AuditFixtures.write(home, 3000, 64 * 1024, 1000);

    List<Path> files = AuditFiles.list(home.resolve("audit"));
    assertThat(files).hasSizeGreaterThan(3);
    AuditVerifier.Report report = verify();
    assertThat(report.findings()).isEmpty();
    assertThat(report.intact()).isTrue();
    assertThat(report.files()).isEqualTo(files.size());
    // 3000 exchanges, 3 interval checkpoints + 1 closing, one rotate record per rotation
    assertThat(report.checkpoints()).isEqualTo(4);
    assertThat(report.records()).isEqualTo(3000 + 4 + files.size() - 1);
    List<JsonNode> records = AuditFixtures.records(home.resolve("audit"));
    for (int i = 0; i < records.size(); i++) {
      assertThat(records.get(i).path("seq").asLong()).isEqualTo(i + 1);
    }
    assertThat(records.get(0).path("prev").asString()).isEqualTo(Canonical.GENESIS);
    // the first record of each rotated-to file chains from the last of the file before
    for (int f = 1; f < files.size(); f++) {
      List<String> before = AuditFixtures.read(files.get(f - 1));
      JsonNode last = Canonical.mapper().readTree(before.get(before.size() - 1));
      JsonNode first = Canonical.mapper().readTree(AuditFixtures.read(files.get(f)).get(0));
      assertThat(last.path("type").asString()).isEqualTo("rotate");
      assertThat(first.path("prev").asString()).isEqualTo(last.path("hash").asString());
      assertThat(Files.size(files.get(f - 1))).isLessThanOrEqualTo(64 * 1024 + 1024);
    }
  }

  @Test
  void recordsCarryTheExchangeLogFieldsButNeverPayloads() throws Exception {
    AuditFixtures.write(home, 3, 1 << 20, 1000);

    String raw = String.join("\n", AuditFixtures.read(AuditFiles.list(home.resolve("audit")).get(0)));
    assertThat(raw).doesNotContain("/etc/secret").doesNotContain("TOP SECRET RESULT");
    List<JsonNode> records = AuditFixtures.records(home.resolve("audit"));
    JsonNode ok = records.get(0);
    assertThat(ok.path("type").asString()).isEqualTo("exchange");
    assertThat(ok.path("session").asString()).isEqualTo("s-42");
    assertThat(ok.path("transport").asString()).isEqualTo("http");
    assertThat(ok.path("principal").asString()).isEqualTo("local");
    assertThat(ok.path("direction").asString()).isEqualTo("TO_SERVER");
    assertThat(ok.path("method").asString()).isEqualTo("tools/call");
    assertThat(ok.path("server").asString()).isEqualTo("fs");
    assertThat(ok.path("name").asString()).isEqualTo("read_file");
    assertThat(ok.path("outcome").asString()).isEqualTo("ok");
    assertThat(ok.path("micros").asLong()).isEqualTo(2500);
    assertThat(ok.path("decisions").get(0).path("effect").asString()).isEqualTo("allow");
    assertThat(ok.has("masked")).isFalse();
    assertThat(records.get(1).path("outcome").asString()).isEqualTo("error");
    assertThat(records.get(1).path("errorCode").asInt()).isEqualTo(JsonRpcError.BLOCKED);
    assertThat(records.get(2).path("outcome").asString()).isEqualTo("notification");
    assertThat(records.get(2).path("direction").asString()).isEqualTo("TO_CLIENT");
    assertThat(records.get(3).path("type").asString()).isEqualTo("checkpoint");
    assertThat(records.get(3).path("reason").asString()).isEqualTo("close");
    assertThat(records.get(3).path("hash_of_last").asString()).isEqualTo(records.get(2).path("hash").asString());
  }

  @Test
  void secretsInPeerTextAreMaskedAndTheirPathsRecorded() throws Exception {
    String awsKey = "AKIAIOSFODNN7EXAMPLE";
    String jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ."
        + "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
    try (AuditLog log = AuditLog.open(home.resolve("audit"), home.resolve("keys"), AuditLog.Options.defaults())) {
      Exchange call = new Exchange(AuditFixtures.SESSION, Direction.TO_SERVER,
          Request.of(RequestId.of(1), "tools/call", null), new Target("cloud", "deploy"), 0);
      call.record(new dev.aegis.chain.Decision("scan", "block", "Authorization: Bearer " + jwt));
      log.onExchange(call, Response.error(RequestId.of(1), JsonRpcError.of(-32000,
          "upload failed for key " + awsKey + " with token " + jwt)), 1000);
      assertThat(log.flush(10, TimeUnit.SECONDS)).isTrue();
    }

    String raw = Files.readString(AuditFiles.list(home.resolve("audit")).get(0), StandardCharsets.UTF_8);
    assertThat(raw).doesNotContain(awsKey).doesNotContain(jwt).doesNotContain("SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV");
    JsonNode r = AuditFixtures.records(home.resolve("audit")).get(0);
    assertThat(r.path("error").asString()).contains("[masked:aws-key]").contains("[masked:jwt]")
        .startsWith("upload failed for key ");
    assertThat(r.path("decisions").get(0).path("reason").asString()).startsWith("Authorization: Bearer [masked:");
    List<String> masked = r.path("masked").valueStream().map(JsonNode::asString).toList();
    assertThat(masked).containsExactly("/error", "/decisions/0/reason");
    assertThat(verify().intact()).isTrue();
  }

  @Test
  void keysAreCreatedOnFirstUseWithAPrivateKeyOnlyTheOwnerCanRead() throws Exception {
    AuditFixtures.write(home, 1, 1 << 20, 1000);

    Path priv = home.resolve("keys").resolve(AuditKeys.PRIVATE_FILE);
    assertThat(priv).exists();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(priv))).isEqualTo("rw-------");
    String before = Files.readString(priv);
    AuditFixtures.write(home, 1, 1 << 20, 1000);
    assertThat(Files.readString(priv)).isEqualTo(before);
    assertThat(verify().intact()).isTrue();
  }

  @Test
  void reopeningContinuesTheChainAndAcknowledgesOnlyForcedRecords() throws Exception {
    List<Long> acks = new CopyOnWriteArrayList<>();
    AuditFixtures.write(home, 10, 1 << 20, 1000);
    try (AuditLog log = AuditLog.open(home.resolve("audit"), home.resolve("keys"),
        AuditLog.Options.defaults().withOnDurable(acks::add))) {
      AuditFixtures.feed(log, 0);
      assertThat(log.flush(10, TimeUnit.SECONDS)).isTrue();
      assertThat(log.durableSeq()).isEqualTo(12);
    }
    assertThat(acks).containsExactly(12L, 13L);
    AuditVerifier.Report report = verify();
    assertThat(report.findings()).isEmpty();
    assertThat(report.records()).isEqualTo(13);
  }

  @Test
  void aTornFinalLineIsCutOnRestartAndTheCutIsRecordedInTheChain() throws Exception {
    AuditFixtures.write(home, 5, 1 << 20, 1000);
    Path file = AuditFiles.list(home.resolve("audit")).get(0);
    Files.writeString(file, "{\"seq\":7,\"type\":\"exch", StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.APPEND);
    assertThat(verify().findings()).singleElement().extracting(AuditVerifier.Finding::kind)
        .isEqualTo(AuditVerifier.Kind.TRUNCATED);

    AuditFixtures.write(home, 1, 1 << 20, 1000);

    assertThat(verify().findings()).isEmpty();
    List<JsonNode> records = AuditFixtures.records(home.resolve("audit"));
    JsonNode recovery = records.get(6);
    assertThat(recovery.path("type").asString()).isEqualTo("recovery");
    assertThat(recovery.path("seq").asLong()).isEqualTo(7);
    assertThat(recovery.path("line").asInt()).isEqualTo(7);
    assertThat(recovery.path("truncated_bytes").asLong()).isEqualTo(21);
  }

  @Test
  void aSecondWriterOnTheSameHomeGetsItsOwnChain() throws Exception {
    try (AuditLog first = AuditLog.open(home); AuditLog second = AuditLog.open(home)) {
      AuditFixtures.feed(first, 0);
      AuditFixtures.feed(second, 1);
    }

    assertThat(AuditLog.chainDirs(home)).containsExactly(home.resolve("audit"), home.resolve("audit-2"));
    java.security.PublicKey key = AuditKeys.loadPublic(home.resolve("keys").resolve(AuditKeys.PUBLIC_FILE));
    for (Path chain : AuditLog.chainDirs(home)) {
      AuditVerifier.Report report = AuditVerifier.verify(chain, key);
      assertThat(report.findings()).isEmpty();
      assertThat(report.records()).isEqualTo(2);
    }
  }

  @Test
  void eventsAreChainedLikeExchangesAndTheLogsOwnTypesAreRefused() throws Exception {
    try (AuditLog log = AuditLog.open(home)) {
      tools.jackson.databind.node.ObjectNode ev = Canonical.mapper().createObjectNode();
      ev.put("type", "sandbox").put("event", "exit").put("server", "fs").put("seq", 999).put("hash", "forged");
      log.event(ev);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> log.event(Canonical.mapper().createObjectNode()
          .put("type", "checkpoint"))).isInstanceOf(IllegalArgumentException.class);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> log.event(Canonical.mapper().createObjectNode()))
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(verify().intact()).isTrue();
    List<JsonNode> records = AuditFixtures.records(home.resolve("audit"));
    JsonNode ev = records.stream().filter(r -> r.path("type").asString().equals("sandbox")).findFirst().orElseThrow();
    assertThat(ev.path("server").asString()).isEqualTo("fs");
    assertThat(ev.path("seq").asLong()).isEqualTo(1); // the log numbers it; a caller's seq and hash are not kept
    assertThat(ev.path("hash").asString()).isNotEqualTo("forged");
    assertThat(ev.path("ts").asString()).isNotEmpty();
  }
}
