package dev.aegis.cli;

import dev.aegis.policy.ApprovalQueue;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/**
 * {@code aegis approvals}: the calls a running gateway holds until a person answers ({@code ask} in a policy, or a
 * flow rule), with who asked, the tool, the arguments and why.
 */
@Command(name = "approvals", mixinStandardHelpOptions = true,
    description = "List calls waiting for approval; answer with `aegis approve-call ID` (or --deny).")
final class ApprovalsCommand implements Callable<Integer> {
  @Option(names = "--dir", paramLabel = "DIR", description = "Where requests wait (default: $AEGIS_HOME/approvals).")
  Path dir;

  PrintStream out = System.out;

  @Override
  public Integer call() throws IOException {
    List<JsonNode> pending = ApprovalQueue.pending(dir != null ? dir : AegisHome.resolve().resolve("approvals"));
    if (pending.isEmpty()) {
      out.println("no calls are waiting for approval");
    }
    for (JsonNode p : pending) {
      out.println(p.path("id").asString() + "  " + p.path("principal").asString("?") + " -> "
          + p.path("server").asString("?") + "/" + p.path("tool").asString("?") + "  (expires "
          + p.path("expires").asString() + ")");
      out.println("    why: " + p.path("reason").asString(""));
      out.println("    arguments: " + DiffCommand.safe(p.path("arguments").toString(), 400));
    }
    return 0;
  }
}
