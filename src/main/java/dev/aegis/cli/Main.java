package dev.aegis.cli;

import picocli.CommandLine;

/** Entry point of {@code bin/aegis}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // library logging (Jetty) goes to stderr at warn level unless the user asks otherwise
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
        System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code. */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new AegisCommand());
    cli.addSubcommand("gateway", new GatewayCommand());
    cli.addSubcommand("example-server", new ExampleServerCommand());
    cli.addSubcommand("audit", AuditCommand.commandLine());
    cli.addSubcommand("clients", new ClientsCommand());
    cli.addSubcommand("wrap", new WrapCommand());
    cli.addSubcommand("unwrap", new UnwrapCommand());
    cli.addSubcommand("demo", new DemoCommand());
    cli.addSubcommand("scan", new ScanCommand());
    cli.addSubcommand("eval", new EvalCommand());
    cli.addSubcommand("pin", new PinCommand());
    cli.addSubcommand("approve", new ApproveCommand());
    cli.addSubcommand("diff", new DiffCommand());
    cli.addSubcommand("keygen", new KeygenCommand());
    cli.addSubcommand("sign", new SignCommand());
    cli.addSubcommand("approvals", new ApprovalsCommand());
    cli.addSubcommand("approve-call", new ApproveCallCommand());
    cli.addSubcommand("policy", PolicyCommand.commandLine());
    cli.addSubcommand("keys", new KeysCommand());
    cli.addSubcommand("memory", MemoryCommand.commandLine());
    cli.addSubcommand("rollback", new RollbackCommand());
    cli.addSubcommand("sandbox", SandboxCommand.commandLine());
    cli.addSubcommand("status", new StatusCommand());
    return cli.execute(args);
  }
}
