package dev.aegis.cli;

import dev.aegis.demo.AttackServer;
import dev.aegis.demo.Demo;
import dev.aegis.demo.DemoReport;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code aegis demo}: runs the attack lab through the gateway and reports which attacks were stopped. With
 * {@code --serve SCENARIO} it is instead one of the lab's fixture servers over stdio (the demo launches those).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run each attack of the threat table through Aegis (in a temporary home) and report which were"
        + " stopped. Exits 0 whatever the outcome.")
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
      description = "table (default) or json: {\"attacks\":[{\"id\",\"name\",\"stopped\",\"how\"}]}.")
  String format;

  @Option(names = "--keep", description = "Keep the temporary folder (homes, what the servers received) and say where.")
  boolean keep;

  @Option(names = "--verbose", description = "Show the gateway's log on stderr.")
  boolean verbose;

  @Option(names = "--serve", paramLabel = "SCENARIO", hidden = true,
      description = "Be the lab's fixture server for SCENARIO over stdio (needs AEGIS_DEMO_DIR and a temporary HOME).")
  String serve;

  @Override
  public Integer call() throws Exception {
    if (serve != null) {
      return serve();
    }
    if (!format.equals("table") && !format.equals("json")) {
      System.err.println("aegis: --format must be table or json; was '" + format + "'");
      return 2;
    }
    Path work = Files.createTempDirectory("aegis-demo-");
    try {
      if (format.equals("table")) {
        System.err.println("aegis demo: running " + 6 + " attacks through the gateway (sandbox " + work + ")...");
      }
      List<Demo.Result> results = new Demo(work, verbose).run();
      System.out.print(format.equals("json") ? DemoReport.json(results) + "\n" : DemoReport.table(results));
      System.out.flush();
    } finally {
      if (keep) {
        System.err.println("aegis demo: kept " + work);
      } else {
        delete(work);
      }
    }
    return 0;
  }

  private Integer serve() throws InterruptedException {
    if (!AttackServer.SCENARIOS.contains(serve)) {
      System.err.println("aegis: unknown scenario '" + serve + "'; one of " + AttackServer.SCENARIOS);
      return 2;
    }
    String dir = System.getenv("AEGIS_DEMO_DIR");
    String home = System.getenv("HOME");
    String refusal = AttackServer.refusal(dir, home);
    if (refusal != null) {
      System.err.println("aegis: " + refusal);
      return 2;
    }
    new AttackServer(serve, Path.of(dir), Path.of(home)).serve(System.in, System.out);
    return 0;
  }

  private static void delete(Path root) {
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.delete(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
          Files.delete(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      System.err.println("aegis demo: could not remove " + root + ": " + e.getMessage());
    }
  }
}
