package dev.aegis.cli;

import dev.aegis.config.GatewayConfig;
import dev.aegis.config.ServerConfig;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The configuration used when there is none: the bundled example server, run from this very jar. */
final class BuiltInConfig {
  private BuiltInConfig() {}

  static GatewayConfig example() {
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    String classpath = System.getProperty("java.class.path");
    List<String> command;
    if (classpath != null && classpath.endsWith(".jar") && !classpath.contains(File.pathSeparator)) {
      command = List.of(javaBin, "-XX:TieredStopAtLevel=1", "-jar", Path.of(classpath).toAbsolutePath().toString(),
          "example-server");
    } else {
      command = List.of(javaBin, "-cp", classpath, Main.class.getName(), "example-server");
    }
    return GatewayConfig.of(List.of(new ServerConfig("example", "example",
        new ServerConfig.Stdio(command, Map.of(), null))));
  }
}
