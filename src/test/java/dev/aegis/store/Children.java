package dev.aegis.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Starts {@link AppendChild} JVMs and reads their acknowledgements. */
final class Children {
  private Children() {}

  static Process start(String... args) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        AppendChild.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  static BufferedReader reader(Process p) {
    return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
  }

  /** One acknowledged append: {@code ack SEQ KEY}. */
  record Ack(long seq, String key) {
    static Ack parse(String line) {
      String[] parts = line.split(" ");
      if (parts.length != 3 || !parts[0].equals("ack")) {
        throw new IllegalArgumentException("not an ack line: " + line);
      }
      return new Ack(Long.parseLong(parts[1]), parts[2]);
    }
  }
}
