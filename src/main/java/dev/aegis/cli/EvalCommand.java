package dev.aegis.cli;

import dev.aegis.scan.Evaluation;
import dev.aegis.scan.Scanner;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code aegis eval}: runs the built-in scanner over a labelled data set and prints recall and false positives per
 * attack class, to measure a rule change before shipping it.
 *
 * <pre>{@code
 * aegis eval --data ../shared/data --details
 * }</pre>
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = "Measure the scanner on a labelled data set: DIR/tool-definitions.dev.jsonl and"
        + " DIR/tool-outputs.dev.jsonl (either may be absent). Prints flagged/total per class.")
final class EvalCommand implements Callable<Integer> {
  static final String DEFINITIONS = "tool-definitions.dev.jsonl";
  static final String OUTPUTS = "tool-outputs.dev.jsonl";

  @Option(names = "--data", paramLabel = "DIR", defaultValue = "../shared/data",
      description = "Folder of the data set (default: ${DEFAULT-VALUE}, relative to the working folder).")
  Path data;

  @Option(names = "--details", description = "Also list each misclassified record with its worst finding.")
  boolean details;

  /** Where the table goes; a test may replace it. */
  PrintStream out = System.out;

  @Override
  public Integer call() {
    if (!Files.isDirectory(data)) {
      System.err.println("aegis eval: no data folder at " + data.toAbsolutePath().normalize()
          + " (give --data DIR holding " + DEFINITIONS + " and/or " + OUTPUTS + ")");
      return 2;
    }
    Path defs = data.resolve(DEFINITIONS);
    Path outs = data.resolve(OUTPUTS);
    if (!Files.isRegularFile(defs) && !Files.isRegularFile(outs)) {
      System.err.println("aegis eval: " + data + " holds neither " + DEFINITIONS + " nor " + OUTPUTS);
      return 2;
    }
    try {
      Evaluation.Result r = Evaluation.run(Scanner.builtIn(), Files.isRegularFile(defs) ? defs : null,
          Files.isRegularFile(outs) ? outs : null);
      r.print(out, details);
      out.flush();
      return 0;
    } catch (IOException e) {
      System.err.println("aegis eval: " + e.getMessage());
      return 2;
    }
  }
}
