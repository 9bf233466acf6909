package dev.aegis.cli;

import dev.aegis.audit.AuditFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code aegis audit tail}: the last records, one readable line each, optionally following new ones. */
@Command(name = "tail", mixinStandardHelpOptions = true,
    description = "Print the last audit records readably: time, session, direction, method, server/name, outcome,"
        + " duration.")
final class AuditTailCommand implements Callable<Integer> {
  private static final long FOLLOW_POLL_MS = 250;

  @Spec
  CommandSpec spec;

  @Option(names = "--dir", paramLabel = "DIR", description = "The audit folder (default: $AEGIS_HOME/audit).")
  Path dir;

  @Option(names = "-n", paramLabel = "N", defaultValue = "10", description = "How many records (default: 10).")
  int count;

  @Option(names = {"-f", "--follow"}, description = "Keep printing records as they are appended.")
  boolean follow;

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    Path folder = AuditCommand.dir(dir);
    List<AuditFiles.Line> lines = AuditFiles.allLines(folder);
    int complete = (int) lines.stream().filter(AuditFiles.Line::complete).count();
    lines.stream().filter(AuditFiles.Line::complete).skip(Math.max(0, complete - (long) count))
        .forEach(l -> print(out, l));
    out.flush();
    if (!follow) {
      return 0;
    }
    String lastFile = lines.isEmpty() ? null : lines.get(lines.size() - 1).file().getFileName().toString();
    int lastLine = lines.stream().filter(AuditFiles.Line::complete).mapToInt(AuditFiles.Line::number)
        .reduce((a, b) -> b).orElse(0);
    while (true) {
      Thread.sleep(FOLLOW_POLL_MS);
      for (AuditFiles.Line l : AuditFiles.allLines(folder)) {
        String file = l.file().getFileName().toString();
        boolean newer = lastFile == null || file.compareTo(lastFile) > 0
            || (file.equals(lastFile) && l.number() > lastLine);
        if (newer && l.complete()) {
          print(out, l);
          lastFile = file;
          lastLine = l.number();
        }
      }
      out.flush();
    }
  }

  private static void print(PrintWriter out, AuditFiles.Line line) {
    JsonNode r = AuditCommand.parse(line);
    out.println(r == null ? line.where() + ": (not a record)" : format(r));
  }

  /** {@code 2026-11-24T18:05:51.123Z  s-42  TO_SERVER  tools/call  fs/read_file  ok  3.5 ms  [scan:allow]}. */
  static String format(JsonNode r) {
    String type = r.path("type").asString("exchange");
    String ts = r.path("ts").asString("?");
    if (!type.equals("exchange")) {
      StringBuilder sb = new StringBuilder(ts).append("  #").append(r.path("seq").asLong()).append("  ").append(type);
      r.properties().forEach(e -> {
        if (List.of("count", "reason", "next", "file", "truncated_bytes").contains(e.getKey())) {
          sb.append("  ").append(e.getKey()).append('=').append(e.getValue().asString(e.getValue().toString()));
        }
      });
      return sb.toString();
    }
    String target = r.path("server").asString("-") + (r.has("name") ? "/" + r.path("name").asString() : "");
    String outcome = r.path("outcome").asString("?");
    if (outcome.equals("error")) {
      outcome += " " + r.path("errorCode").asLong() + " " + r.path("error").asString("");
    }
    StringBuilder sb = new StringBuilder().append(ts).append("  ").append(r.path("session").asString("?"))
        .append("  ").append(r.path("direction").asString("?")).append("  ").append(r.path("method").asString("?"))
        .append("  ").append(target).append("  ").append(outcome).append("  ")
        .append(String.format(java.util.Locale.ROOT, "%.1f ms", r.path("micros").asLong() / 1000.0));
    for (JsonNode d : r.path("decisions")) {
      sb.append("  [").append(d.path("by").asString()).append(':').append(d.path("effect").asString()).append(']');
    }
    if (r.has("masked")) {
      sb.append("  (masked ").append(r.path("masked").size()).append(')');
    }
    return sb.toString();
  }
}
