package dev.aegis.scan.report;

import dev.aegis.scan.Finding;
import dev.aegis.scan.Report;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Scan results as JSON for scripts. A subject is {@code {"name","verdict","findings":[{"rule","severity","pointer",
 * "excerpt","message"}]}} (plus {@code "suppressed":N} when a baseline or suppression silenced some); a text is the
 * same with {@code "id"} for {@code "name"}.
 *
 * <pre>{@code
 * System.out.println(JsonFormat.tools(scan));     // {"tools":[...]}
 * System.out.println(JsonFormat.servers(scans));  // {"servers":[{"name","source","tools",...}]}
 * }</pre>
 */
public final class JsonFormat {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private JsonFormat() {}

  /** {@code {"tools":[...]}} for an offline tools file, in input order. */
  public static String tools(ServerScan scan) {
    ObjectNode root = JSON.objectNode();
    root.set("tools", subjects(scan.of("tool"), "name"));
    return JsonMapper.shared().writeValueAsString(root);
  }

  /** One line for one scanned text: {@code {"id","verdict","findings":[...]}}. */
  public static String text(Report r) {
    return JsonMapper.shared().writeValueAsString(subject(r, "id"));
  }

  /** {@code {"servers":[{"name","source","error"?,"tools","prompts","resources","instructions"}]}}, pretty. */
  public static String servers(List<ServerScan> scans) {
    ObjectNode root = JSON.objectNode();
    ArrayNode servers = root.putArray("servers");
    for (ServerScan s : scans) {
      ObjectNode o = servers.addObject();
      o.put("name", s.name());
      o.put("source", s.source());
      if (s.error() != null) {
        o.put("error", s.error());
      }
      o.set("tools", subjects(s.of("tool"), "name"));
      o.set("prompts", subjects(s.of("prompt"), "name"));
      o.set("resources", subjects(s.of("resource"), "name"));
      List<Report> inst = s.of("instructions");
      if (inst.isEmpty()) {
        o.putNull("instructions");
      } else {
        ObjectNode i = subject(inst.get(0), "name");
        i.remove("name");
        o.set("instructions", i);
      }
    }
    return JsonMapper.shared().writerWithDefaultPrettyPrinter().writeValueAsString(root);
  }

  static ArrayNode subjects(List<Report> reports, String nameKey) {
    ArrayNode a = JSON.arrayNode();
    reports.forEach(r -> a.add(subject(r, nameKey)));
    return a;
  }

  static ObjectNode subject(Report r, String nameKey) {
    ObjectNode o = JSON.objectNode();
    o.put(nameKey, r.name());
    o.put("verdict", r.verdict().wire());
    ArrayNode fs = o.putArray("findings");
    for (Finding f : r.findings()) {
      fs.addObject()
          .put("rule", f.ruleId())
          .put("severity", f.severity().wire())
          .put("pointer", f.pointer())
          .put("excerpt", f.excerpt())
          .put("message", f.message());
    }
    if (r.suppressed() > 0) {
      o.put("suppressed", r.suppressed());
    }
    return o;
  }
}
