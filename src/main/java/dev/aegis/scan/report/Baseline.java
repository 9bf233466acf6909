package dev.aegis.scan.report;

import dev.aegis.scan.Finding;
import dev.aegis.scan.Report;
import dev.aegis.scan.Suppression;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Accepted findings, kept in a file so that a scan reports only what is new. Each entry names a rule, a subject
 * ({@code server/tool}), the JSON pointer and the reason a person accepted it; it becomes a scanner
 * {@link Suppression} for that server, so a baseline silences exactly what a rule file's suppression would.
 *
 * <pre>{@code
 * Baseline b = Baseline.read(Path.of("aegis-baseline.json"));
 * Scanner s = new Scanner(rules.withSuppressions(b.forServer("github")), thresholds);
 * }</pre>
 *
 * <p>File shape: {@code {"version":1,"suppressions":[{"rule","subject","pointer","reason"}]}}.
 */
public final class Baseline {
  public static final String DEFAULT_REASON = "accepted in baseline";

  /** One accepted finding. */
  public record Entry(String rule, String subject, String pointer, String reason) {}

  private final List<Entry> entries;

  public Baseline(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  public List<Entry> entries() {
    return entries;
  }

  /** Reads a baseline; every malformed entry is reported as {@code file: suppressions[i]: what}. */
  public static Baseline read(Path file) throws IOException {
    JsonNode root;
    try {
      root = JsonMapper.shared().readTree(Files.readString(file));
    } catch (JacksonException e) {
      throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.path("suppressions").isArray()) {
      throw new IOException(file + ": a baseline is {\"version\":1,\"suppressions\":[...]}");
    }
    List<Entry> out = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    JsonNode list = root.get("suppressions");
    for (int i = 0; i < list.size(); i++) {
      JsonNode e = list.get(i);
      String rule = e.path("rule").asString("");
      String subject = e.path("subject").asString("");
      String reason = e.path("reason").asString("");
      if (rule.isBlank() || subject.indexOf('/') <= 0 || reason.isBlank()) {
        errors.add(file + ": suppressions[" + i + "]: needs 'rule', 'subject' (server/name) and a non-empty"
            + " 'reason'");
        continue;
      }
      String pointer = e.path("pointer").isString() ? e.path("pointer").asString() : null;
      out.add(new Entry(rule, subject, pointer, reason));
    }
    if (!errors.isEmpty()) {
      throw new IOException(String.join("\n", errors));
    }
    return new Baseline(out);
  }

  /** The entries of one server as scanner suppressions (subject relative to the server). */
  public List<Suppression> forServer(String server) {
    List<Suppression> out = new ArrayList<>();
    String prefix = server + "/";
    for (Entry e : entries) {
      if (e.subject().startsWith(prefix)) {
        out.add(new Suppression(e.rule(), e.subject().substring(prefix.length()), e.pointer(), e.reason()));
      }
    }
    return out;
  }

  /** A baseline accepting every finding of these scans, with the default reason for the user to replace. */
  public static Baseline of(List<ServerScan> scans) {
    List<Entry> out = new ArrayList<>();
    for (ServerScan s : scans) {
      for (Report r : s.reports()) {
        for (Finding f : r.findings()) {
          out.add(new Entry(f.ruleId(), s.subject(r), f.pointer(), DEFAULT_REASON));
        }
      }
    }
    return new Baseline(out);
  }

  /** This baseline merged with another's entries, the earlier reason winning for the same finding. */
  public Baseline plus(Baseline other) {
    List<Entry> out = new ArrayList<>(entries);
    for (Entry e : other.entries) {
      boolean known = out.stream().anyMatch(x -> x.rule().equals(e.rule()) && x.subject().equals(e.subject())
          && java.util.Objects.equals(x.pointer(), e.pointer()));
      if (!known) {
        out.add(e);
      }
    }
    return new Baseline(out);
  }

  public void write(Path file) throws IOException {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("version", 1);
    ArrayNode list = root.putArray("suppressions");
    for (Entry e : entries) {
      ObjectNode o = list.addObject();
      o.put("rule", e.rule());
      o.put("subject", e.subject());
      if (e.pointer() != null) {
        o.put("pointer", e.pointer());
      }
      o.put("reason", e.reason());
    }
    Files.writeString(file, JsonMapper.shared().writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
  }
}
