package dev.aegis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** kill -9 while appending: every acknowledged record survives, and the log still verifies. */
class AuditDurabilityTest {
  @TempDir
  Path home;

  @Test
  void killDashNineLosesNoAcknowledgedRecord() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        DurabilityChild.class.getName(), home.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    long lastAck = 0;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
        StandardCharsets.UTF_8))) {
      assertThat(in.readLine()).isEqualTo("ready");
      String line;
      while ((line = in.readLine()) != null) {
        lastAck = Long.parseLong(line.substring(4));
        if (lastAck >= 3000) {
          break;
        }
      }
      // mid-stream: the writer is still appending and forcing while it dies (this also closes our end of the pipe,
      // so acks still in flight are not counted: the check covers every ack the test saw)
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    assertThat(lastAck).isGreaterThanOrEqualTo(3000);

    Path dir = home.resolve("audit");
    Set<Long> seqs = new HashSet<>();
    for (JsonNode r : AuditFixtures.records(dir)) {
      seqs.add(r.path("seq").asLong());
    }
    for (long s = 1; s <= lastAck; s++) {
      assertThat(seqs).as("acknowledged seq %d", s).contains(s);
    }
    assertThat(AuditFiles.list(dir)).hasSizeGreaterThan(2);
    PublicKey key = AuditKeys.loadPublic(home.resolve("keys").resolve(AuditKeys.PUBLIC_FILE));
    AuditVerifier.Report report = AuditVerifier.verify(dir, key);
    assertThat(report.intact()).as("%s", report.findings()).isTrue();
    assertThat(report.findings()).allMatch(f -> f.kind() == AuditVerifier.Kind.TRUNCATED);

    // the next start cuts a torn tail off, records the cut in the chain, and continues it
    try (AuditLog log = AuditLog.open(home)) {
      AuditFixtures.feed(log, 0);
    }
    AuditVerifier.Report after = AuditVerifier.verify(dir, key);
    assertThat(after.findings()).isEmpty();
    List<JsonNode> records = AuditFixtures.records(dir);
    if (!report.findings().isEmpty()) {
      assertThat(records).anyMatch(r -> r.path("type").asString().equals("recovery"));
    }
    assertThat(records.get(records.size() - 1).path("reason").asString()).isEqualTo("close");
  }
}
