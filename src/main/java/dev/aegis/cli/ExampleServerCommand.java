package dev.aegis.cli;

import dev.aegis.example.ExampleServer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code aegis example-server}: the bundled example MCP server over stdio. */
@Command(name = "example-server", mixinStandardHelpOptions = true,
    description = "Run the bundled example MCP server over stdio (tools echo and add).")
final class ExampleServerCommand implements Callable<Integer> {
  @Option(names = "--test-tools", description = "Also offer tools that crash, hang or flood, for robustness tests.")
  boolean testTools;

  @Override
  public Integer call() throws Exception {
    new ExampleServer(testTools).serve(System.in, System.out);
    return 0;
  }
}
