package dev.aegis.config.discovery;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * How a host starts Aegis: {@code bin/aegis} when the jar sits in a checkout's {@code target/} next to it, otherwise
 * {@code java -jar aegis.jar}. Wrapped entries run {@code command leadingArgs... gateway --config FILE}.
 *
 * <pre>{@code
 * Launcher.of("/opt/aegis/bin/aegis").commandLine(List.of("gateway"));   // [/opt/aegis/bin/aegis, gateway]
 * }</pre>
 */
public record Launcher(String command, List<String> leadingArgs) {
  public Launcher {
    Objects.requireNonNull(command, "command");
    leadingArgs = List.copyOf(leadingArgs);
  }

  public static Launcher of(String command) {
    return new Launcher(command, List.of());
  }

  /** The launcher of the running Aegis, found from where {@code anchor}'s class was loaded. */
  public static Launcher detect(Class<?> anchor, Platform.Os os) {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", os == Platform.Os.WINDOWS ? "java.exe" : "java")
            .toString());
    Path code;
    try {
      code = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
    } catch (URISyntaxException | RuntimeException e) {
      return classPath(java);
    }
    if (Files.isRegularFile(code) && code.toString().endsWith(".jar")) {
      Path script = code.getParent() == null || code.getParent().getParent() == null ? null
          : code.getParent().getParent().resolve("bin").resolve("aegis");
      if (os != Platform.Os.WINDOWS && script != null && Files.isExecutable(script)) {
        return of(script.normalize().toString());
      }
      return new Launcher(java, List.of("-jar", code.toString()));
    }
    return classPath(java);
  }

  /** Running from a build's classes (a developer's checkout): the same class path, made absolute. */
  private static Launcher classPath(String java) {
    String cp = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> !e.isBlank())
        .map(e -> Path.of(e).toAbsolutePath().normalize().toString())
        .collect(Collectors.joining(File.pathSeparator));
    return new Launcher(java, List.of("-cp", cp, "dev.aegis.cli.Main"));
  }

  /** The command line: the command, the leading arguments, then {@code args}. */
  public List<String> commandLine(List<String> args) {
    List<String> out = new ArrayList<>();
    out.add(command);
    out.addAll(leadingArgs);
    out.addAll(args);
    return out;
  }
}
