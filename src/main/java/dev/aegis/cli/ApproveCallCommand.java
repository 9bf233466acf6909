package dev.aegis.cli;

import dev.aegis.policy.ApprovalQueue;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code aegis approve-call ID}: lets one waiting call through (or {@code --deny} refuses it). The answer names the
 * call's digest, so it cannot be reused for any other call.
 */
@Command(name = "approve-call", mixinStandardHelpOptions = true,
    description = "Approve (or --deny) one call waiting for approval; see `aegis approvals`.")
final class ApproveCallCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "ID", description = "The request id from `aegis approvals`.")
  String id;

  @Option(names = "--deny", description = "Refuse the call instead.")
  boolean deny;

  @Option(names = "--by", paramLabel = "NAME", description = "Who answers (default: $USER).")
  String by;

  @Option(names = "--dir", paramLabel = "DIR", description = "Where requests wait (default: $AEGIS_HOME/approvals).")
  Path dir;

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    try {
      ApprovalQueue.answer(dir != null ? dir : AegisHome.resolve().resolve("approvals"), id, !deny,
          by != null ? by : System.getProperty("user.name", "unknown"));
      out.println((deny ? "denied " : "approved ") + id);
      return 0;
    } catch (IllegalArgumentException | IOException e) {
      err.println("aegis approve-call: " + e.getMessage());
      return 2;
    }
  }
}
