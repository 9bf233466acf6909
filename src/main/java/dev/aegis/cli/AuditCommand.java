package dev.aegis.cli;

import dev.aegis.audit.AuditFiles;
import dev.aegis.audit.AuditLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code aegis audit}: verify, tail and export the tamper-evident audit log (see docs/audit.md). */
@Command(name = "audit", mixinStandardHelpOptions = true,
    description = "Verify, follow and export the tamper-evident audit log in $AEGIS_HOME/audit.")
final class AuditCommand implements Runnable {
  static final JsonMapper MAPPER = JsonMapper.builder().build();

  @Spec
  CommandSpec spec;

  /** The command with its subcommands, wired explicitly. */
  static CommandLine commandLine() {
    return new CommandLine(new AuditCommand())
        .addSubcommand("verify", new AuditVerifyCommand())
        .addSubcommand("tail", new AuditTailCommand())
        .addSubcommand("export", new AuditExportCommand());
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  /** {@code --dir}, or {@code $AEGIS_HOME/audit}. */
  static Path dir(Path given) {
    return given != null ? given : AegisHome.resolve().resolve("audit");
  }

  /** {@code --dir}, or every chain under {@code $AEGIS_HOME} ({@code audit}, {@code audit-2}, …). */
  static List<Path> dirs(Path given) {
    if (given != null) {
      return List.of(given);
    }
    List<Path> all = AuditLog.chainDirs(AegisHome.resolve());
    return all.isEmpty() ? List.of(dir(null)) : all;
  }

  /** The records of every complete line, in order; lines that are not JSON are skipped. */
  static List<JsonNode> records(Path dir) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    for (AuditFiles.Line line : AuditFiles.allLines(dir)) {
      JsonNode node = parse(line);
      if (node != null) {
        out.add(node);
      }
    }
    return out;
  }

  static JsonNode parse(AuditFiles.Line line) {
    if (!line.complete()) {
      return null;
    }
    try {
      JsonNode node = MAPPER.readTree(line.text());
      return node.isObject() ? node : null;
    } catch (JacksonException e) {
      return null;
    }
  }
}
