package dev.aegis.cli;

import dev.aegis.identity.StaticKeys;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code aegis keys new}: a fresh API key for an HTTP caller, and the lines that put only its hash in the
 * configuration (the key itself is shown once and stored nowhere).
 */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "API keys for callers of the HTTP endpoint.",
    subcommands = KeysCommand.New.class)
final class KeysCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    new CommandLine(this).usage(System.out);
    return 0;
  }

  @Command(name = "new", mixinStandardHelpOptions = true,
      description = "Print a new API key and the identity.keys entry (its hash) to add to the configuration.")
  static final class New implements Callable<Integer> {
    @Option(names = "--principal", paramLabel = "NAME", required = true, description = "Who the key stands for.")
    String principal;

    @Option(names = "--group", paramLabel = "GROUP", description = "A group of the principal (repeatable).")
    List<String> groups = new ArrayList<>();

    PrintStream out = System.out;

    @Override
    public Integer call() {
      String key = StaticKeys.generate();
      out.println("key (give it to the caller; it is not stored anywhere): " + key);
      out.println();
      out.println("identity:");
      out.println("  keys:");
      out.println("    - {hash: \"" + StaticKeys.hash(key) + "\", principal: " + principal
          + (groups.isEmpty() ? "" : ", groups: [" + String.join(", ", groups) + "]") + "}");
      out.println();
      out.println("The caller sends: Authorization: Bearer " + key.substring(0, 10) + "...");
      return 0;
    }
  }
}
