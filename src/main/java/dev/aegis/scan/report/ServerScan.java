package dev.aegis.scan.report;

import dev.aegis.scan.Report;
import java.nio.file.Path;
import java.util.List;

/**
 * The scan of one server, or of one input file treated as a server: its reports in the order the subjects were
 * listed (tools, then prompts, resources and templates, then instructions; or texts), or why it was not scanned.
 *
 * <pre>{@code
 * new ServerScan("everything", "stdio: npx -y @modelcontextprotocol/server-everything", null, null, reports)
 * }</pre>
 *
 * @param name the server's configured name (or the input file's name)
 * @param source where it came from, for people: a config file and entry, a command line or a URL
 * @param file the file to point code scanning at (a config or input file), or null for a command line or URL
 * @param error null when scanned; otherwise why not (it did not start, timed out, the file was not valid)
 * @param tools the tool definitions as listed (for analyses across servers, such as toxic flows)
 */
public record ServerScan(String name, String source, Path file, String error, List<Report> reports,
    List<tools.jackson.databind.JsonNode> tools) {
  public ServerScan(String name, String source, Path file, String error, List<Report> reports) {
    this(name, source, file, error, reports, List.of());
  }

  public ServerScan {
    reports = List.copyOf(reports);
    tools = List.copyOf(tools);
  }

  /** The reports of one kind ({@code tool}, {@code prompt}, {@code resource}, {@code instructions}, {@code output}). */
  public List<Report> of(String kind) {
    return reports.stream().filter(r -> r.kind().equals(kind)).toList();
  }

  /** The baseline subject of a report of this server: {@code server/name}. */
  public String subject(Report r) {
    return name + "/" + r.name();
  }
}
