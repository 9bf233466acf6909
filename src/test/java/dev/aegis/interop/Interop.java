package dev.aegis.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the real peers live: the gateway's fat jar and the npm packages pinned in {@code interop/package-lock.json}
 * (installed by {@code interop/install.sh} before the ITs). Failsafe passes both locations as system properties;
 * running from an IDE, the defaults assume the module's base directory as working directory.
 */
final class Interop {
  private Interop() {}

  static Path jar() {
    Path jar = Path.of(System.getProperty("aegis.jar", "target/aegis.jar")).toAbsolutePath();
    assertThat(jar).as("the gateway jar (run 'mvn package' first)").isRegularFile();
    return jar;
  }

  static Path dir() {
    return Path.of(System.getProperty("aegis.interop", "interop")).toAbsolutePath();
  }

  /** A package under {@code interop/node_modules/@modelcontextprotocol}. */
  static Path mcpPackage(String name) {
    Path p = dir().resolve("node_modules").resolve("@modelcontextprotocol").resolve(name);
    assertThat(p).as("npm package @modelcontextprotocol/" + name + " (run interop/install.sh)").isDirectory();
    return p;
  }

  static String everything() {
    return mcpPackage("server-everything").resolve("dist/index.js").toString();
  }

  static String filesystem() {
    return mcpPackage("server-filesystem").resolve("dist/index.js").toString();
  }

  static String memory() {
    return mcpPackage("server-memory").resolve("dist/index.js").toString();
  }

  /**
   * The Inspector's launcher, run directly with the {@code node} on PATH (Node 20). Its package asks for Node
   * 22.19+, but that is only npm's engine check: the CLI mode runs fine on 20. Its postinstall is a no-op when the
   * package is installed as a dependency, and it ships prebuilt clients. Going through {@code npx} would work too
   * but adds npm's start-up and notices.
   */
  static String inspector() {
    return mcpPackage("inspector").resolve("clients/launcher/build/index.js").toString();
  }

  /** A script of ours under {@code interop/clients}. */
  static String clientScript(String name) {
    Path p = dir().resolve("clients").resolve(name);
    assertThat(p).isRegularFile();
    return p.toString();
  }

  static String node() {
    return "node";
  }

  /** The java running the tests, to run the gateway jar with. */
  static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  /** {@code java -jar aegis.jar gateway --config FILE [extra...]}. */
  static List<String> gatewayCommand(Path config, String... extra) {
    List<String> cmd = new ArrayList<>(List.of(java(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar",
        jar().toString(), "gateway", "--config", config.toString()));
    cmd.addAll(List.of(extra));
    return cmd;
  }

  static Path createDir(Path parent, String name) {
    try {
      return Files.createDirectories(parent.resolve(name)).toRealPath();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
