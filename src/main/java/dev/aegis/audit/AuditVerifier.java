package dev.aegis.audit;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Walks every file of an audit log in order, recomputes each record's hash and the chain, checks each checkpoint's
 * signature, and names what is wrong and where ({@code file:line}, seq). A torn final line (a write cut short by a
 * crash: no newline, never acknowledged) is reported as {@link Kind#TRUNCATED}, a warning, not tampering.
 *
 * <pre>{@code AuditVerifier.Report r = AuditVerifier.verify(dir, AuditKeys.loadPublic(pub)); if (!r.intact()) ... }</pre>
 */
public final class AuditVerifier {

  /** What a finding says happened. */
  public enum Kind {
    EDITED, DELETED, INSERTED, REORDERED, MISSING_FILE, FORGED_CHECKPOINT, MALFORMED,
    /** A torn final line: not tampering by itself. */
    TRUNCATED;

    public boolean tampering() {
      return this != TRUNCATED;
    }
  }

  /** One problem: its kind, where ({@code audit-000001.jsonl:12}), the seq concerned (0 when unknown), and why. */
  public record Finding(Kind kind, String where, long seq, String message) {
    @Override
    public String toString() {
      return where + ": " + kind.name().toLowerCase(java.util.Locale.ROOT) + (seq > 0 ? " (seq " + seq + ")" : "")
          + ": " + message;
    }
  }

  /** The outcome: counts, findings in log order, and notes that are not problems. */
  public record Report(long records, int files, int checkpoints, List<Finding> findings, List<String> notes) {
    public Report {
      findings = List.copyOf(findings);
      notes = List.copyOf(notes);
    }

    /** No tampering found (a torn final line is allowed). */
    public boolean intact() {
      return findings.stream().noneMatch(f -> f.kind().tampering());
    }
  }

  private record Rec(AuditFiles.Line line, ObjectNode node, long seq, String prev, String hash, boolean selfOk,
      boolean firstOfFile, String missingBefore) {
    String type() {
      return node.path("type").asString("");
    }
  }

  private AuditVerifier() {}

  public static Report verify(Path dir, PublicKey key) throws IOException {
    List<Path> files = AuditFiles.list(dir);
    List<Finding> findings = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    List<Rec> recs = new ArrayList<>();
    int expectedNumber = 1;
    for (int f = 0; f < files.size(); f++) {
      Path file = files.get(f);
      int number = AuditFiles.number(file);
      String missing = null;
      if (number != expectedNumber) {
        List<String> names = new ArrayList<>();
        for (int n = expectedNumber; n < number; n++) {
          names.add(AuditFiles.name(n));
        }
        missing = String.join(", ", names);
      }
      expectedNumber = number + 1;
      List<AuditFiles.Line> lines = AuditFiles.lines(file);
      boolean first = true;
      for (AuditFiles.Line line : lines) {
        if (!line.complete()) {
          if (f == files.size() - 1) {
            long after = recs.isEmpty() ? 0 : recs.get(recs.size() - 1).seq();
            findings.add(new Finding(Kind.TRUNCATED, line.where(), 0, "incomplete final line (" + line.text().length()
                + " characters, no newline) after seq " + after + ": a write cut short by a crash, never"
                + " acknowledged; the gateway removes it and records a recovery on its next start"));
          } else {
            findings.add(new Finding(Kind.MALFORMED, line.where(), 0, "a line without newline inside a rotated file"));
          }
          continue;
        }
        ObjectNode node;
        try {
          JsonNode parsed = Canonical.mapper().readTree(line.text());
          if (!(parsed instanceof ObjectNode o) || !o.path("seq").canConvertToLong() || !o.path("hash").isString()) {
            throw new IllegalArgumentException("not an audit record");
          }
          node = o;
        } catch (JacksonException | IllegalArgumentException e) {
          findings.add(new Finding(Kind.MALFORMED, line.where(), 0,
              "not an audit record (a line was inserted or edited)"));
          continue;
        }
        String hash = node.path("hash").asString();
        recs.add(new Rec(line, node, node.path("seq").asLong(), node.path("prev").asString(""), hash,
            Canonical.hashOf(node).equals(hash), first, missing));
        first = false;
        missing = null;
      }
    }
    chain(recs, findings);
    int checkpoints = 0;
    for (Rec r : recs) {
      if (r.type().equals("checkpoint")) {
        checkpoints++;
        ObjectNode signed = r.node().deepCopy();
        signed.remove(List.of("hash", "sig"));
        if (!AuditKeys.verify(key, Canonical.bytes(signed), r.node().path("sig").asString(""))
            || !r.node().path("hash_of_last").asString("").equals(r.prev())) {
          findings.add(new Finding(Kind.FORGED_CHECKPOINT, r.line().where(), r.seq(),
              "checkpoint signature does not verify with the audit public key"));
        }
      }
    }
    if (!recs.isEmpty()) {
      Rec last = recs.get(recs.size() - 1);
      if (last.type().equals("rotate")) {
        findings.add(new Finding(Kind.MISSING_FILE, last.line().where(), last.seq(), "the log rotated to "
            + last.node().path("next").asString() + ", which is missing (deleted)"));
      } else if (!last.type().equals("checkpoint")) {
        long signedUpTo = 0;
        for (Rec r : recs) {
          if (r.type().equals("checkpoint")) {
            signedUpTo = r.seq();
          }
        }
        notes.add("records after seq " + signedUpTo + " (up to " + last.seq() + ") are chained but not yet covered"
            + " by a signed checkpoint (the log is open, or its writer stopped without closing)");
      }
    }
    return new Report(recs.size(), files.size(), checkpoints, findings, notes);
  }

  /** Follows the chain in file order and classifies each break. */
  private static void chain(List<Rec> recs, List<Finding> findings) {
    Set<String> referenced = new HashSet<>();
    Map<Long, Integer> lastIndexOfSeq = new HashMap<>();
    for (int i = 0; i < recs.size(); i++) {
      referenced.add(recs.get(i).prev());
      lastIndexOfSeq.put(recs.get(i).seq(), i);
    }
    long expected = 1;
    String prev = Canonical.GENESIS;
    Rec accepted = null;
    Set<Long> seen = new HashSet<>();
    Set<Long> reportedMoved = new HashSet<>();
    for (int i = 0; i < recs.size(); i++) {
      Rec r = recs.get(i);
      String where = r.line().where();
      if (!r.selfOk()) {
        findings.add(new Finding(Kind.EDITED, where, r.seq(), "the record does not match its hash (edited)"));
      } else if (r.seq() == expected) {
        boolean forkedLater = i + 1 < recs.size() && recs.get(i + 1).seq() == r.seq() && !referenced.contains(r.hash());
        if (forkedLater) {
          findings.add(new Finding(Kind.INSERTED, where, r.seq(), "a record no later record links to, followed by"
              + " the real seq " + r.seq() + " (inserted)"));
          continue;
        }
        if (!r.prev().equals(prev)) {
          if (accepted != null && accepted.selfOk()) {
            findings.add(new Finding(Kind.EDITED, accepted.line().where(), accepted.seq(), "the record was changed"
                + " and re-hashed: the next record (" + where + ") links to a different hash"));
          } else if (accepted == null) {
            findings.add(new Finding(Kind.EDITED, where, r.seq(), "the first record does not chain from genesis"));
          }
        }
      } else if (r.seq() > expected) {
        List<Long> moved = new ArrayList<>();
        for (long s = expected; s < r.seq() && moved.size() < 3; s++) {
          if (lastIndexOfSeq.getOrDefault(s, -1) > i) {
            moved.add(s);
          }
        }
        String range = expected == r.seq() - 1 ? "seq " + expected : "seq " + expected + ".." + (r.seq() - 1);
        if (!moved.isEmpty()) {
          reportedMoved.addAll(moved);
          findings.add(new Finding(Kind.REORDERED, where, r.seq(), "seq " + r.seq() + " comes before seq "
              + moved.get(0) + " (at " + recs.get(lastIndexOfSeq.get(moved.get(0))).line().where()
              + "): records reordered"));
        } else if (r.missingBefore() != null) {
          findings.add(new Finding(Kind.MISSING_FILE, where, r.seq(), r.missingBefore() + " is missing (deleted): "
              + range + " gone"));
        } else {
          findings.add(new Finding(Kind.DELETED, where, r.seq(), range + " missing before this record (deleted)"));
        }
      } else {
        if (reportedMoved.contains(r.seq()) && !seen.contains(r.seq())) {
          seen.add(r.seq());
          continue;
        }
        findings.add(new Finding(Kind.INSERTED, where, r.seq(), seen.contains(r.seq())
            ? "a second record with seq " + r.seq() + " (inserted or copied)"
            : "seq " + r.seq() + " appears after seq " + (expected - 1) + " (inserted or reordered)"));
        continue;
      }
      if (r.missingBefore() != null && r.seq() <= expected) {
        findings.add(new Finding(Kind.MISSING_FILE, where, r.seq(), r.missingBefore() + " is missing (deleted)"));
      }
      seen.add(r.seq());
      expected = r.seq() + 1;
      prev = r.hash();
      accepted = r;
    }
  }
}
