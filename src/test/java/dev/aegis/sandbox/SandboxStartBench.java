package dev.aegis.sandbox;

import dev.aegis.config.SandboxConfig;
import dev.aegis.config.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Start-up cost of the sandbox: time from starting a server to its first {@code initialize} reply, unsandboxed and
 * under the built-in {@code filesystem} profile (bubblewrap + seccomp + prlimit + cgroup v1 memory and pids),
 * interleaved, median of N. Run: {@code java -cp target/classes:target/test-classes:$(cat cp.txt)
 * dev.aegis.sandbox.SandboxStartBench [N]} from the module folder (needs interop/install.sh).
 */
public final class SandboxStartBench {
  private SandboxStartBench() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 21;
    Path script = Path.of("interop/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js")
        .toAbsolutePath();
    Path dir = Files.createTempDirectory("aegis-bench");
    ServerConfig.Stdio fs = new ServerConfig.Stdio(List.of("node", script.toString(), dir.toString()), Map.of(),
        null);
    ServerConfig.Stdio java = new ServerConfig.Stdio(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        "dev.aegis.cli.Main", "example-server"), Map.of(), null);
    Sandbox sandbox = new Sandbox(new SandboxConfig(Map.of(), null, false, Map.of("fs", "filesystem", "ex",
        "strict")), HostSupport.probe(), System.getenv(), m -> { }, System.err::println);
    ServerConfig.Stdio trueCmd = new ServerConfig.Stdio(List.of("/bin/true"), Map.of(), null);
    List<Double> plainTrue = new ArrayList<>();
    List<Double> boxedTrue = new ArrayList<>();
    for (int i = 0; i < n + 2; i++) {
      double a = run(trueCmd.command(), null);
      Sandbox.Launch l = sandbox.prepare("ex", trueCmd);
      double b = run(l.command(), l);
      if (i >= 2) {
        plainTrue.add(a);
        boxedTrue.add(b);
      }
    }
    System.out.printf("/bin/true start to exit: unsandboxed median %.1f ms, sandboxed median %.1f ms, added %.1f ms"
        + " (N=%d)%n", median(plainTrue), median(boxedTrue), median(boxedTrue) - median(plainTrue), n);
    for (String[] which : new String[][] {{"server-filesystem (node)", "fs"}, {"example server (java)", "ex"}}) {
      ServerConfig.Stdio s = which[1].equals("fs") ? fs : java;
      List<Double> plain = new ArrayList<>();
      List<Double> boxed = new ArrayList<>();
      for (int i = 0; i < n + 2; i++) {
        double a = time(s.command(), null);
        Sandbox.Launch l = sandbox.prepare(which[1], s);
        double b = time(l.command(), l);
        if (i >= 2) { // the first two warm the page cache
          plain.add(a);
          boxed.add(b);
        }
      }
      double mp = median(plain);
      double mb = median(boxed);
      System.out.printf("%s: unsandboxed median %.1f ms, sandboxed median %.1f ms, added %.1f ms (N=%d)%n",
          which[0], mp, mb, mb - mp, n);
    }
  }

  private static double time(List<String> command, Sandbox.Launch launch) throws Exception {
    long t0 = System.nanoTime();
    try (McpProcess p = McpProcess.start(command, Map.of())) {
      if (launch != null) {
        launch.started(p.pid());
      }
      p.initialize();
      return (System.nanoTime() - t0) / 1e6;
    }
  }

  private static double run(List<String> command, Sandbox.Launch launch) throws Exception {
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(command).start();
    if (launch != null) {
      launch.started(p.pid()).exited().get();
    } else {
      p.waitFor();
    }
    return (System.nanoTime() - t0) / 1e6;
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }
}
