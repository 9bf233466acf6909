package dev.aegis.cli;

import dev.aegis.config.discovery.Client;
import dev.aegis.config.discovery.WrapStore;
import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code aegis unwrap}: puts back, byte for byte, the files {@code aegis wrap} changed, unless edited since. */
@Command(name = "unwrap", mixinStandardHelpOptions = true,
    description = "Restore a client's MCP configuration exactly as it was before `aegis wrap`, unless the file was"
        + " edited since.")
final class UnwrapCommand implements Callable<Integer> {

  @Option(names = "--client", required = true, paramLabel = "NAME",
      description = "claude-desktop, claude-code, cursor, vscode, windsurf or gemini.")
  String client;

  @Override
  public Integer call() throws IOException {
    Client c = ClientArg.resolve(client);
    if (c == null) {
      return 2;
    }
    WrapStore.Unwrapped result = new WrapStore(AegisHome.resolve(), Clock.systemUTC()).unwrap(c);
    if (result.refusal() != null) {
      System.err.println("aegis: " + result.refusal());
      return 1;
    }
    result.restored().forEach(p -> System.out.println("restored " + p));
    System.out.println("restart " + c.displayName() + " to use it");
    return 0;
  }
}
