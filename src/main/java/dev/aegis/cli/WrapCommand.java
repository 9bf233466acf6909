package dev.aegis.cli;

import dev.aegis.config.discovery.Client;
import dev.aegis.config.discovery.ClientConfig;
import dev.aegis.config.discovery.Discovery;
import dev.aegis.config.discovery.Launcher;
import dev.aegis.config.discovery.Platform;
import dev.aegis.config.discovery.WrapPlan;
import dev.aegis.config.discovery.WrapStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code aegis wrap}: rewrites a client's configuration so each of its servers runs behind Aegis. */
@Command(name = "wrap", mixinStandardHelpOptions = true,
    description = "Rewrite a client's MCP configuration so every server runs behind Aegis. Shows the change and asks"
        + " first; keeps a byte-for-byte backup that `aegis unwrap` restores.")
final class WrapCommand implements Callable<Integer> {

  @Option(names = "--client", required = true, paramLabel = "NAME",
      description = "claude-desktop, claude-code, cursor, vscode, windsurf or gemini.")
  String client;

  @Option(names = "--project", paramLabel = "DIR", description = "Also wrap the project-level file(s) in DIR.")
  Path project;

  @Option(names = "--yes", description = "Do not ask for confirmation.")
  boolean yes;

  @Override
  public Integer call() throws IOException {
    Client c = ClientArg.resolve(client);
    if (c == null) {
      return 2;
    }
    Platform platform = Platform.current();
    Discovery discovery = new Discovery(platform, project);
    List<ClientConfig> files = discovery.find(c);
    if (files.isEmpty()) {
      System.err.println("aegis: no configuration of " + c.displayName() + " found; looked in "
          + discovery.searched(c));
      return 1;
    }
    Path home = AegisHome.resolve();
    WrapPlan plan = WrapPlan.of(c, files, Launcher.detect(Main.class, platform.os()), home);
    System.out.print(plan.describe());
    if (plan.changesNothing()) {
      System.out.println("nothing to change for " + c.displayName() + ": every server that can be is already"
          + " behind Aegis");
      return 0;
    }
    if (!yes) {
      System.out.print("Write these changes? [y/N] ");
      System.out.flush();
      String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      if (answer == null || !List.of("y", "yes").contains(answer.trim().toLowerCase(Locale.ROOT))) {
        System.out.println("nothing changed" + (answer == null ? " (no answer on stdin; give --yes to skip the"
            + " question)" : ""));
        return 1;
      }
    }
    WrapStore store = new WrapStore(home, Clock.systemUTC());
    store.apply(plan);
    for (WrapPlan.FileChange ch : plan.changes()) {
      System.out.println("wrapped " + ch.file().path());
    }
    System.out.println("backup in " + store.backups(c) + "; restart " + c.displayName() + " to use it; undo with"
        + " `aegis unwrap --client " + c.id() + "`");
    return 0;
  }
}
