package dev.aegis.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code aegis audit export}: the exchange records, filtered, as JSON lines or CSV. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Write audit records to stdout as JSON lines or CSV. With any filter only exchange records are"
        + " written.")
final class AuditExportCommand implements Callable<Integer> {
  static final List<String> COLUMNS = List.of("seq", "ts", "session", "transport", "principal", "direction", "method",
      "server", "name", "outcome", "errorCode", "error", "micros", "decisions", "masked", "hash");

  enum Format { jsonl, csv }

  @Spec
  CommandSpec spec;

  @Option(names = "--dir", paramLabel = "DIR", description = "The audit folder (default: every chain under $AEGIS_HOME).")
  Path dir;

  @Option(names = "--format", defaultValue = "jsonl", description = "jsonl or csv (default: jsonl).")
  Format format;

  @Option(names = "--server", paramLabel = "S", description = "Only records for this upstream server.")
  String server;

  @Option(names = "--tool", paramLabel = "T", description = "Only records for this tool (or prompt, resource) name.")
  String tool;

  @Option(names = "--session", paramLabel = "ID", description = "Only records of this session.")
  String session;

  @Option(names = "--decision", paramLabel = "EFFECT", description = "Only records where a guard decided EFFECT.")
  String decision;

  @Option(names = "--since", paramLabel = "ISO", description = "From this instant or date (inclusive).")
  String since;

  @Option(names = "--until", paramLabel = "ISO", description = "Before this instant or date (exclusive).")
  String until;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    Instant from;
    Instant to;
    try {
      from = since == null ? null : instant(since);
      to = until == null ? null : instant(until);
    } catch (DateTimeParseException e) {
      spec.commandLine().getErr().println("aegis: --since/--until take an ISO instant or date, e.g."
          + " 2026-11-24T09:00:00Z or 2026-11-24; " + e.getMessage());
      return 2;
    }
    boolean filtered = server != null || tool != null || session != null || decision != null || from != null
        || to != null;
    if (format == Format.csv) {
      out.println(String.join(",", COLUMNS));
    }
    for (Path chain : AuditCommand.dirs(dir)) {
      for (JsonNode r : AuditCommand.records(chain)) {
        if (filtered && !matches(r, from, to)) {
          continue;
        }
        out.println(format == Format.jsonl ? AuditCommand.MAPPER.writeValueAsString(r) : csv(r));
      }
    }
    out.flush();
    return 0;
  }

  private boolean matches(JsonNode r, Instant from, Instant to) {
    if (!r.path("type").asString("").equals("exchange")) {
      return false;
    }
    if ((server != null && !server.equals(r.path("server").asString(null)))
        || (tool != null && !tool.equals(r.path("name").asString(null)))
        || (session != null && !session.equals(r.path("session").asString(null)))) {
      return false;
    }
    if (decision != null) {
      boolean any = false;
      for (JsonNode d : r.path("decisions")) {
        any |= decision.equalsIgnoreCase(d.path("effect").asString(""));
      }
      if (!any) {
        return false;
      }
    }
    Instant ts;
    try {
      ts = Instant.parse(r.path("ts").asString(""));
    } catch (DateTimeParseException e) {
      return from == null && to == null;
    }
    return (from == null || !ts.isBefore(from)) && (to == null || ts.isBefore(to));
  }

  static Instant instant(String text) {
    if (text.length() == 10) {
      return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
    return Instant.parse(text);
  }

  static String csv(JsonNode r) {
    List<String> cells = new ArrayList<>();
    for (String column : COLUMNS) {
      JsonNode v = r.path(column);
      String cell;
      if (column.equals("decisions")) {
        List<String> parts = new ArrayList<>();
        v.forEach(d -> parts.add(d.path("by").asString("") + ":" + d.path("effect").asString("") + ":"
            + d.path("reason").asString("")));
        cell = String.join("; ", parts);
      } else if (column.equals("masked")) {
        List<String> parts = new ArrayList<>();
        v.forEach(p -> parts.add(p.asString("")));
        cell = String.join(" ", parts);
      } else {
        cell = v.isMissingNode() || v.isNull() ? "" : v.isNumber() ? v.asString() : v.asString("");
      }
      cells.add(escape(cell, v.isNumber()));
    }
    return String.join(",", cells);
  }

  /** RFC 4180 quoting; text that a spreadsheet would run as a formula gets a leading apostrophe. */
  static String escape(String cell, boolean number) {
    if (!number && !cell.isEmpty() && "=+-@\t\r".indexOf(cell.charAt(0)) >= 0) {
      cell = "'" + cell;
    }
    if (cell.contains(",") || cell.contains("\"") || cell.contains("\n") || cell.contains("\r")) {
      return "\"" + cell.replace("\"", "\"\"") + "\"";
    }
    return cell;
  }
}
