package dev.aegis.scan.live;

import dev.aegis.scan.Report;
import dev.aegis.scan.Scanner;
import dev.aegis.scan.Verdict;
import dev.aegis.sandbox.Sandbox;
import dev.aegis.scan.report.ServerScan;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Lists every target, one after the other, then scans each server's tools knowing the other servers' tool names
 * (for shadowing), plus its prompts, resources, templates and instructions. A server that fails is reported in its
 * {@link ServerScan} and the scan goes on.
 *
 * <pre>{@code
 * List<ServerScan> scans = LiveScan.run(targets, server -> Scanner.builtIn(), Duration.ofSeconds(30), System.err,
 *     new Sandbox(SandboxConfig.DEFAULT, info -> { }, System.err::println));
 * }</pre>
 */
public final class LiveScan {
  private LiveScan() {}

  /**
   * @param scanners the scanner for a server name (a baseline's suppressions differ per server)
   * @param progress where a line per server goes, or null for none
   * @param sandbox starts stdio servers in their sandbox profile; null starts them as they are
   */
  public static List<ServerScan> run(List<Target> targets, Function<String, Scanner> scanners, Duration timeout,
      PrintStream progress, Sandbox sandbox) {
    List<Listing> listings = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) {
      Target t = targets.get(i);
      if (progress != null) {
        progress.print("aegis scan: [" + (i + 1) + "/" + targets.size() + "] " + t.server().name()
            + ": connecting to " + abbreviate(t.describe()) + " ... ");
        progress.flush();
      }
      long start = System.nanoTime();
      Listing l = Lister.list(t.server(), timeout, sandbox);
      listings.add(l);
      if (progress != null) {
        String took = String.format(" (%.1f s)", (System.nanoTime() - start) / 1e9);
        progress.println(l.error() != null ? "failed: " + l.error() + took
            : l.tools().size() + " tools, " + l.prompts().size() + " prompts, " + l.resources().size()
                + " resources, " + l.templates().size() + " templates" + took);
      }
    }
    List<ServerScan> scans = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) {
      Target t = targets.get(i);
      Listing l = listings.get(i);
      if (l.error() != null) {
        scans.add(new ServerScan(t.server().name(), t.source(), t.file(), l.error(), List.of()));
        continue;
      }
      Map<String, List<String>> others = new LinkedHashMap<>();
      for (int j = 0; j < targets.size(); j++) {
        if (j != i) {
          others.put(targets.get(j).server().name(),
              listings.get(j).tools().stream().map(x -> x.path("name").asString("")).toList());
        }
      }
      Scanner scanner = scanners.apply(t.server().name());
      List<Report> reports = new ArrayList<>(scanner.scanTools(l.tools(), new Scanner.Known(others)));
      l.prompts().forEach(p -> reports.add(scanner.scanPrompt(p)));
      l.resources().forEach(r -> reports.add(scanner.scanResource(r)));
      l.templates().forEach(r -> reports.add(scanner.scanResource(r)));
      if (l.instructions() != null) {
        reports.add(scanner.scanInstructions(t.server().name(), l.instructions()));
      }
      scans.add(new ServerScan(t.server().name(), t.source(), t.file(), null, reports, l.tools()));
      if (progress != null) {
        long block = reports.stream().filter(r -> r.verdict() == Verdict.BLOCK).count();
        long warn = reports.stream().filter(r -> r.verdict() == Verdict.WARN).count();
        progress.println("aegis scan: " + t.server().name() + ": " + block + " block, " + warn + " warn, "
            + (reports.size() - block - warn) + " allow");
      }
    }
    return scans;
  }

  private static String abbreviate(String s) {
    return s.length() <= 100 ? s : s.substring(0, 60) + "…" + s.substring(s.length() - 39);
  }
}
