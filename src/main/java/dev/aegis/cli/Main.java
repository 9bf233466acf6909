package dev.aegis.cli;

import picocli.CommandLine;

/** Entry point of {@code bin/aegis}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code. */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new AegisCommand());
    cli.addSubcommand("gateway", new GatewayCommand());
    cli.addSubcommand("example-server", new ExampleServerCommand());
    return cli.execute(args);
  }
}
