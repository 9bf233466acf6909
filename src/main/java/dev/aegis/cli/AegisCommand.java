package dev.aegis.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code aegis}: prints usage; the work is in its subcommands. */
@Command(name = "aegis", mixinStandardHelpOptions = true, version = "aegis 0.1.0",
    description = "A security gateway for the Model Context Protocol.%n"
        + "State lives under $AEGIS_HOME (default ~/.aegis).")
final class AegisCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }
}
