package dev.aegis.scan.report;

import dev.aegis.scan.Finding;
import dev.aegis.scan.Report;
import dev.aegis.scan.Rule;
import dev.aegis.scan.RuleSet;
import dev.aegis.scan.Severity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Scan results as SARIF 2.1.0, for GitHub code scanning and other SARIF viewers: one run whose driver lists the rules
 * of the rule set, one result per finding. A result points at the scanned file (a config or tools file) when there is
 * one, and always names the subject as a logical location {@code server/name}; a fingerprint over rule, subject and
 * pointer lets code scanning recognise the same finding across runs.
 *
 * <pre>{@code
 * String sarif = SarifFormat.render(scans, scanner.rules(), "0.1.0", Path.of(""));
 * }</pre>
 */
public final class SarifFormat {
  public static final String SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private SarifFormat() {}

  /**
   * @param base folder that file locations are made relative to (the repository root, usually the working folder)
   */
  public static String render(List<ServerScan> scans, RuleSet rules, String version, Path base) {
    ObjectNode root = JSON.objectNode();
    root.put("$schema", SCHEMA);
    root.put("version", "2.1.0");
    ObjectNode run = root.putArray("runs").addObject();
    ObjectNode driver = run.putObject("tool").putObject("driver");
    driver.put("name", "aegis");
    driver.put("version", version);
    driver.put("semanticVersion", version);
    ArrayNode ruleList = driver.putArray("rules");
    Map<String, Integer> index = new HashMap<>();
    for (Rule r : rules.rules()) {
      index.put(r.id(), index.size());
      ruleList.add(rule(r.id(), r.message(), r.severity(), r.category()));
    }
    ArrayNode results = run.putArray("results");
    for (ServerScan s : scans) {
      for (Report r : s.reports()) {
        for (Finding f : r.findings()) {
          if (!index.containsKey(f.ruleId())) {
            // a finding of a rule the set does not list (a detector's own id): describe it so the log stays valid
            index.put(f.ruleId(), index.size());
            ruleList.add(rule(f.ruleId(), f.message(), f.severity(), "other"));
          }
          results.add(result(s, r, f, index.get(f.ruleId()), base));
        }
      }
    }
    return JsonMapper.shared().writerWithDefaultPrettyPrinter().writeValueAsString(root);
  }

  /** SARIF's level for a severity: high and critical are errors, medium warnings, the rest notes. */
  public static String level(Severity s) {
    return switch (s) {
      case CRITICAL, HIGH -> "error";
      case MEDIUM -> "warning";
      case LOW, INFO -> "note";
    };
  }

  private static ObjectNode rule(String id, String message, Severity severity, String category) {
    ObjectNode o = JSON.objectNode();
    o.put("id", id);
    o.putObject("shortDescription").put("text", message);
    o.putObject("defaultConfiguration").put("level", level(severity));
    ObjectNode props = o.putObject("properties");
    props.put("category", category);
    props.putArray("tags").add("security").add("mcp").add(category);
    return o;
  }

  private static ObjectNode result(ServerScan s, Report r, Finding f, int ruleIndex, Path base) {
    ObjectNode o = JSON.objectNode();
    o.put("ruleId", f.ruleId());
    o.put("ruleIndex", ruleIndex);
    o.put("level", level(f.severity()));
    o.putObject("message").put("text", r.kind() + " '" + s.subject(r) + "': " + f.message()
        + (f.excerpt().isEmpty() ? "" : " «" + f.excerpt() + "»"));
    ObjectNode loc = o.putArray("locations").addObject();
    if (s.file() != null) {
      ObjectNode phys = loc.putObject("physicalLocation");
      phys.putObject("artifactLocation").put("uri", uri(s.file(), base));
      phys.putObject("region").put("startLine", 1);
    }
    loc.putArray("logicalLocations").addObject()
        .put("name", r.name())
        .put("fullyQualifiedName", s.subject(r))
        .put("kind", "member");
    o.putObject("partialFingerprints").put("aegisFinding/v1", fingerprint(f.ruleId(), s.subject(r), f.pointer()));
    ObjectNode props = o.putObject("properties");
    props.put("pointer", f.pointer());
    props.put("excerpt", f.excerpt());
    props.put("severity", f.severity().wire());
    props.put("subjectKind", r.kind());
    props.put("verdict", r.verdict().wire());
    return o;
  }

  /** A relative, '/'-separated URI when the file is under {@code base}; an absolute file URI otherwise. */
  static String uri(Path file, Path base) {
    Path abs = file.toAbsolutePath().normalize();
    Path b = base.toAbsolutePath().normalize();
    if (abs.startsWith(b)) {
      StringBuilder sb = new StringBuilder();
      for (Path part : b.relativize(abs)) {
        if (sb.length() > 0) {
          sb.append('/');
        }
        sb.append(java.net.URLEncoder.encode(part.toString(), StandardCharsets.UTF_8).replace("+", "%20"));
      }
      return sb.toString();
    }
    return abs.toUri().toString();
  }

  static String fingerprint(String rule, String subject, String pointer) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      byte[] h = d.digest((rule + "\u0000" + subject + "\u0000" + pointer).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from this JVM", e);
    }
  }
}
