package dev.aegis.policy;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * A rule's {@code when}: a CEL expression type-checked and planned once at parse time, evaluated per call against a
 * {@link Facts}. The environment is fixed here, in one place, so the docs and the checker cannot disagree about which
 * variables exist.
 */
final class Condition {
  static final int MAX_BYTES = 4096;
  /** Bounds evaluation on large arguments: {@code args.items.all(...)} over a huge list stops here with an error. */
  static final int MAX_ITERATIONS = 10_000;

  private static final CelOptions OPTIONS = CelOptions.current()
      .maxExpressionCodePointSize(MAX_BYTES)
      .comprehensionMaxIterations(MAX_ITERATIONS)
      .maxRegexProgramSize(1_000)
      // JSON has one number type; 3 from the arguments must compare with 2.5 in the policy
      .enableHeterogeneousNumericComparisons(true)
      .build();
  private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
      .setOptions(OPTIONS)
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .addVar("principal", MapType.create(SimpleType.STRING, SimpleType.DYN))
      .addVar("server", SimpleType.STRING)
      .addVar("tool", SimpleType.STRING)
      .addVar("method", SimpleType.STRING)
      .addVar("args", MapType.create(SimpleType.STRING, SimpleType.DYN))
      .addVar("session", MapType.create(SimpleType.STRING, SimpleType.DYN))
      .build();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();

  /** A compile problem at {@code line} (1-based) and {@code column} (0-based) inside the expression. */
  record Issue(int line, int column, String message) {}

  private final String text;
  private final CelRuntime.Program program;
  /** Answers the simple shapes without the interpreter; {@code null} when none apply (or when turned off). */
  private final Shortcut shortcut;

  private Condition(String text, CelRuntime.Program program, Shortcut shortcut) {
    this.text = text;
    this.program = program;
    this.shortcut = shortcut;
  }

  /** The condition, or the problems that stop it compiling (returned so the parser can place each in the file). */
  static Object compile(String text) {
    return compile(text, true);
  }

  /** As {@link #compile(String)}; {@code shortcuts} false leaves every evaluation to CEL (tests compare the two). */
  static Object compile(String text, boolean shortcuts) {
    CelValidationResult result = COMPILER.compile(text);
    if (result.hasError()) {
      List<Issue> issues = new ArrayList<>();
      for (CelIssue i : result.getErrors()) {
        issues.add(new Issue(Math.max(1, i.getSourceLocation().getLine()), Math.max(0, i.getSourceLocation()
            .getColumn()), i.getMessage()));
      }
      return issues;
    }
    try {
      CelAbstractSyntaxTree ast = result.getAst();
      CelKind kind = ast.getResultType().kind();
      // dyn is allowed (args.flag); anything else statically not a bool is a mistake worth stopping the load for
      if (kind != CelKind.BOOL && kind != CelKind.DYN) {
        return List.of(new Issue(1, 0, "must give a bool, but gives "
            + ast.getResultType().name()));
      }
      return new Condition(text, RUNTIME.createProgram(ast), shortcuts ? Shortcut.of(ast) : null);
    } catch (dev.cel.common.CelValidationException | CelEvaluationException e) {
      return List.of(new Issue(1, 0, e.getMessage()));
    }
  }

  /**
   * True, false, or {@code null} when evaluation failed (a missing key, a type mismatch at run time, a result that is
   * not a bool, the iteration bound); the caller decides what failure means for its effect.
   */
  Boolean eval(Facts facts) {
    if (shortcut != null) {
      switch (shortcut.eval(facts)) {
        case TRUE:
          return Boolean.TRUE;
        case FALSE:
          return Boolean.FALSE;
        case ERROR:
          return null;
        default:
          break;
      }
    }
    try {
      Object v = program.eval(facts);
      return v instanceof Boolean b ? b : null;
    } catch (CelEvaluationException | RuntimeException e) {
      return null;
    }
  }

  /** Whether some shapes of this condition are answered without CEL. */
  boolean hasShortcut() {
    return shortcut != null;
  }

  @Override
  public String toString() {
    return text;
  }
}
