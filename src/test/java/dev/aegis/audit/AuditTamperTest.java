package dev.aegis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.audit.AuditVerifier.Finding;
import dev.aegis.audit.AuditVerifier.Kind;
import dev.aegis.cli.Main;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/** Each way of tampering with a closed log is detected and named, with file:line and seq. */
class AuditTamperTest {
  @TempDir
  Path home;
  Path dir;
  List<Path> files;

  @BeforeEach
  void writeLog() throws Exception {
    // about 10 records per file: 6+ files, a checkpoint every 10 exchanges
    AuditFixtures.write(home, 60, 4096, 10);
    dir = home.resolve("audit");
    files = AuditFiles.list(dir);
    assertThat(files).hasSizeGreaterThan(4);
    assertThat(verify().findings()).isEmpty();
  }

  private AuditVerifier.Report verify() throws Exception {
    return AuditVerifier.verify(dir, AuditKeys.loadPublic(home.resolve("keys").resolve(AuditKeys.PUBLIC_FILE)));
  }

  private List<Finding> tampering() throws Exception {
    AuditVerifier.Report report = verify();
    assertThat(report.intact()).isFalse();
    return report.findings().stream().filter(f -> f.kind().tampering()).toList();
  }

  private static long seq(String line) {
    return Canonical.mapper().readTree(line).path("seq").asLong();
  }

  @Test
  void editedFieldIsNamed() throws Exception {
    List<String> lines = AuditFixtures.read(files.get(1));
    long seq = seq(lines.get(2));
    lines.set(2, lines.get(2).replace("\"outcome\":\"ok\"", "\"outcome\":\"error\"")
        .replace("\"outcome\":\"notification\"", "\"outcome\":\"ok\"")
        .replace("\"outcome\":\"error\"", "\"outcome\":\"ok\""));
    AuditFixtures.rewrite(files.get(1), lines);

    assertThat(tampering()).containsExactly(new Finding(Kind.EDITED, "audit-000002.jsonl:3", seq,
        "the record does not match its hash (edited)"));
  }

  @Test
  void editedAndRehashedRecordIsNamedByTheNextLink() throws Exception {
    List<String> lines = AuditFixtures.read(files.get(0));
    ObjectNode r = (ObjectNode) Canonical.mapper().readTree(lines.get(1));
    r.put("session", "someone-else");
    r.put("hash", Canonical.hashOf(r));
    lines.set(1, Canonical.line(r));
    AuditFixtures.rewrite(files.get(0), lines);

    List<Finding> found = tampering();
    assertThat(found).hasSize(1);
    assertThat(found.get(0).kind()).isEqualTo(Kind.EDITED);
    assertThat(found.get(0).where()).isEqualTo("audit-000001.jsonl:2");
    assertThat(found.get(0).seq()).isEqualTo(2);
  }

  @Test
  void deletedLineIsNamed() throws Exception {
    List<String> lines = AuditFixtures.read(files.get(0));
    long seq = seq(lines.get(3));
    lines.remove(3);
    AuditFixtures.rewrite(files.get(0), lines);

    assertThat(tampering()).extracting(Finding::kind, Finding::where, Finding::message)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(Kind.DELETED, "audit-000001.jsonl:4",
            "seq " + seq + " missing before this record (deleted)"));
  }

  @Test
  void insertedCopyOfALineIsNamed() throws Exception {
    List<String> lines = AuditFixtures.read(files.get(0));
    lines.add(4, lines.get(1));
    AuditFixtures.rewrite(files.get(0), lines);

    assertThat(tampering()).containsExactly(new Finding(Kind.INSERTED, "audit-000001.jsonl:5", 2,
        "a second record with seq 2 (inserted or copied)"));
  }

  @Test
  void insertedForgedRecordThatChainsCorrectlyIsNamed() throws Exception {
    List<String> lines = AuditFixtures.read(files.get(0));
    ObjectNode forged = (ObjectNode) Canonical.mapper().readTree(lines.get(2));
    forged.put("method", "tools/list");
    forged.put("hash", Canonical.hashOf(forged));
    lines.add(2, Canonical.line(forged));
    AuditFixtures.rewrite(files.get(0), lines);

    List<Finding> found = tampering();
    assertThat(found).extracting(Finding::kind, Finding::where, Finding::seq)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(Kind.INSERTED, "audit-000001.jsonl:3", 3L));
  }

  @Test
  void swappedLinesAreNamedAsReordered() throws Exception {
    List<String> lines = AuditFixtures.read(files.get(0));
    String a = lines.get(4);
    lines.set(4, lines.get(5));
    lines.set(5, a);
    AuditFixtures.rewrite(files.get(0), lines);

    assertThat(tampering()).containsExactly(new Finding(Kind.REORDERED, "audit-000001.jsonl:5", 6,
        "seq 6 comes before seq 5 (at audit-000001.jsonl:6): records reordered"));
  }

  @Test
  void truncatedLastLineIsReportedAsATornWriteNotTampering() throws Exception {
    Path last = files.get(files.size() - 1);
    byte[] bytes = Files.readAllBytes(last);
    Files.write(last, java.util.Arrays.copyOf(bytes, bytes.length - 20));

    AuditVerifier.Report report = verify();
    assertThat(report.intact()).isTrue();
    assertThat(report.findings()).hasSize(1);
    Finding f = report.findings().get(0);
    assertThat(f.kind()).isEqualTo(Kind.TRUNCATED);
    assertThat(f.where()).isEqualTo(last.getFileName() + ":" + AuditFixtures.read(last).size());
    assertThat(f.message()).contains("incomplete final line").contains("never acknowledged");
  }

  @Test
  void deletedRotatedFileIsNamed() throws Exception {
    List<String> gone = AuditFixtures.read(files.get(1));
    Files.delete(files.get(1));

    assertThat(tampering()).containsExactly(new Finding(Kind.MISSING_FILE, "audit-000003.jsonl:1",
        seq(gone.get(gone.size() - 1)) + 1, "audit-000002.jsonl is missing (deleted): seq " + seq(gone.get(0)) + ".."
            + seq(gone.get(gone.size() - 1)) + " gone"));
  }

  @Test
  void deletedLastFileIsNamed() throws Exception {
    Path last = files.get(files.size() - 1);
    Files.delete(last);

    List<Finding> found = tampering();
    assertThat(found).singleElement().extracting(Finding::kind).isEqualTo(Kind.MISSING_FILE);
    assertThat(found.get(0).message()).contains(last.getFileName().toString());
  }

  @Test
  void forgedCheckpointSignatureIsNamedEvenWhenTheWholeChainIsRebuilt() throws Exception {
    // an attacker without the private key edits a record, then re-hashes everything after it and re-signs every
    // checkpoint with a key of their own: the chain is consistent again, the signatures are not
    KeyPair attacker = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    String prev = Canonical.GENESIS;
    int checkpoints = 0;
    for (Path file : files) {
      List<String> lines = AuditFixtures.read(file);
      for (int i = 0; i < lines.size(); i++) {
        ObjectNode r = (ObjectNode) Canonical.mapper().readTree(lines.get(i));
        if (r.path("seq").asLong() == 3) {
          r.put("outcome", "ok");
        }
        r.put("prev", prev);
        if (r.path("type").asString().equals("checkpoint")) {
          checkpoints++;
          r.put("hash_of_last", prev);
          r.remove(List.of("sig", "hash"));
          r.put("sig", AuditKeys.sign(attacker.getPrivate(), Canonical.bytes(r)));
        }
        r.put("hash", Canonical.hashOf(r));
        prev = r.path("hash").asString();
        lines.set(i, Canonical.line(r));
      }
      AuditFixtures.rewrite(file, lines);
    }

    List<Finding> found = tampering();
    assertThat(found).hasSize(checkpoints).allMatch(f -> f.kind() == Kind.FORGED_CHECKPOINT);
  }

  @Test
  void verifyCommandExitsOneWhenTamperedAndZeroWhenIntact() throws Exception {
    assertThat(Main.run("audit", "verify", "--dir", dir.toString())).isZero();
    assertThat(Main.run("audit", "export", "--dir", dir.toString(), "--format", "csv", "--decision", "block"))
        .isZero();
    assertThat(Main.run("audit", "tail", "--dir", dir.toString(), "-n", "3")).isZero();
    List<String> lines = AuditFixtures.read(files.get(0));
    lines.remove(2);
    Files.writeString(files.get(0), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    assertThat(Main.run("audit", "verify", "--dir", dir.toString())).isEqualTo(1);
  }
}
