package dev.aegis.policy;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.CelKind;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The simple shapes of a condition, answered in plain Java on the request itself, so that CEL's interpreter (about a
 * microsecond per condition, most of it overload dispatch) runs only for what these cannot answer. Built once from
 * the checked AST when a policy loads:
 *
 * <pre>{@code
 * args.repo == "acme/app"      args.repo != "x"        args.a.b.startsWith("p")   (also endsWith, contains)
 * "untrusted" in session.labels   "ops" in principal.groups   principal.name == "x"   server, tool, method == "x"
 * has(args.repo)   size(args.items) > 3   args.flag   true   !e   e && e   e || e
 * }</pre>
 *
 * <p>Anything else (comprehensions, arithmetic, regexes, ternaries, numbers compared with numbers) is a leaf that
 * answers {@link Outcome#UNKNOWN}, and CEL then evaluates the whole expression. {@code &&} and {@code ||} follow CEL's
 * commutative rules, where a false (for {@code &&}) or true (for {@code ||}) side decides even when the other side
 * is an error; so {@code args.repo == "x" && args.items.exists(...)} is answered here whenever its first half is
 * false. Only operands typed bool are combined so: CEL throws past {@code &&} when a side is a non-bool value (a dyn
 * {@code args.flag} holding a list), and such an operator is left to CEL. An error is an error: a missing key, or a string function on something that is not a string, gives
 * {@link Outcome#ERROR} exactly where CEL gives an error, and {@link Condition} reports both the same way.
 *
 * <p>One bail-out keeps the answers equal to CEL's: when the arguments are nested deeper than {@link Facts#MAX_DEPTH}
 * and the expression names {@code args} anywhere, CEL cannot even build {@code args}, and everything goes to CEL.
 * {@code ConditionShortcutTest} compares this class with CEL on generated requests.
 */
final class Shortcut {
  /** A three-valued CEL answer, plus "not answered here". */
  enum Outcome { TRUE, FALSE, ERROR, UNKNOWN }

  private static final Outcome[] BOOLEANS = {Outcome.FALSE, Outcome.TRUE};
  /** An {@code args} path that does not resolve: CEL's "no such key" or a select on a value that is not a map. */
  private static final JsonNode NO_VALUE = null;

  /** One node of the expression, answered against one call. */
  private interface Node {
    Outcome eval(Facts facts);
  }

  private final Node root;
  private final boolean readsArgs;

  private Shortcut(Node root, boolean readsArgs) {
    this.root = root;
    this.readsArgs = readsArgs;
  }

  /** The shortcut for a checked expression, or {@code null} when it could never answer (nothing compiled). */
  static Shortcut of(CelAbstractSyntaxTree ast) {
    Node root = node(ast, ast.getExpr());
    return root == UNKNOWN ? null : new Shortcut(root, names(ast.getExpr(), "args"));
  }

  Outcome eval(Facts facts) {
    if (readsArgs && facts.argsTooDeep()) {
      return Outcome.UNKNOWN;
    }
    return root.eval(facts);
  }

  private static final Node UNKNOWN = f -> Outcome.UNKNOWN;

  private static Node node(CelAbstractSyntaxTree ast, CelExpr e) {
    switch (e.getKind()) {
      case CONSTANT -> {
        if (e.constant().getKind() == CelConstant.Kind.BOOLEAN_VALUE) {
          Outcome o = of(e.constant().booleanValue());
          return f -> o;
        }
        return UNKNOWN;
      }
      case SELECT -> {
        if (e.select().testOnly()) {
          // has(args.x): args is always a map, so this is true or false, never an error
          if (isIdent(e.select().operand(), "args")) {
            String key = e.select().field();
            return f -> of(f.argsObject().has(key));
          }
          return UNKNOWN;
        }
        String[] path = argsPath(e);
        if (path != null) {
          // a missing key is an error that the other side of && or || can absorb; a value that is not a bool is
          // one CEL raises at once (no overload), so that case is left to CEL
          return f -> {
            JsonNode v = resolve(f, path);
            if (v == null) {
              return Outcome.ERROR;
            }
            return v.isBoolean() ? of(v.booleanValue()) : Outcome.UNKNOWN;
          };
        }
        return UNKNOWN;
      }
      case CALL -> {
        return call(ast, e);
      }
      default -> {
        return UNKNOWN;
      }
    }
  }

  private static Node call(CelAbstractSyntaxTree ast, CelExpr e) {
    String fn = e.call().function();
    List<CelExpr> args = e.call().args();
    if (e.call().target().isPresent()) {
      return member(fn, e.call().target().get(), args);
    }
    switch (fn) {
      case "_&&_", "_||_" -> {
        // CEL absorbs an error on one side, but throws past this operator when a side is a value that is not a
        // bool (a dyn such as args.flag holding a list); so only operands typed bool are combined here
        if (!isBool(ast, args.get(0)) || !isBool(ast, args.get(1))) {
          return UNKNOWN;
        }
        Node a = node(ast, args.get(0));
        Node b = node(ast, args.get(1));
        return fn.equals("_&&_") ? and(a, b) : or(a, b);
      }
      case "!_" -> {
        Node inner = node(ast, args.get(0));
        return inner == UNKNOWN ? UNKNOWN : f -> not(inner.eval(f));
      }
      case "_==_", "_!=_" -> {
        boolean equal = fn.equals("_==_");
        CelExpr l = args.get(0);
        CelExpr r = args.get(1);
        String lit = stringLiteral(r);
        CelExpr other = l;
        if (lit == null) {
          lit = stringLiteral(l);
          other = r;
        }
        return lit == null ? UNKNOWN : equalsString(other, lit, equal);
      }
      case "@in" -> {
        String lit = stringLiteral(args.get(0));
        CelExpr list = args.get(1);
        if (lit == null) {
          return UNKNOWN;
        }
        String needle = lit;
        if (isSelect(list, "session", "labels")) {
          return f -> of(f.request().labels().contains(needle));
        }
        if (isSelect(list, "principal", "groups")) {
          return f -> of(f.request().groups().contains(needle));
        }
        return UNKNOWN;
      }
      case "_<_", "_<=_", "_>_", "_>=_" -> {
        return size(fn, args.get(0), args.get(1));
      }
      default -> {
        return UNKNOWN;
      }
    }
  }

  /** {@code size(args.x) OP n} with an int literal {@code n}: strings count code points, as CEL does. */
  private static Node size(String fn, CelExpr l, CelExpr r) {
    if (l.getKind() != CelExpr.ExprKind.Kind.CALL || !l.call().function().equals("size")
        || l.call().target().isPresent() || l.call().args().size() != 1
        || r.getKind() != CelExpr.ExprKind.Kind.CONSTANT
        || r.constant().getKind() != CelConstant.Kind.INT64_VALUE) {
      return UNKNOWN;
    }
    String[] path = argsPath(l.call().args().get(0));
    if (path == null) {
      return UNKNOWN;
    }
    long n = r.constant().int64Value();
    return f -> {
      JsonNode v = resolve(f, path);
      long size;
      if (v == null) {
        return Outcome.ERROR;
      } else if (v.isString()) {
        String s = v.stringValue();
        size = s.codePointCount(0, s.length());
      } else if (v.isArray() || v.isObject()) {
        size = v.size();
      } else {
        return Outcome.ERROR;
      }
      return of(switch (fn) {
        case "_<_" -> size < n;
        case "_<=_" -> size <= n;
        case "_>_" -> size > n;
        default -> size >= n;
      });
    };
  }

  /** {@code x.startsWith("lit")}, {@code endsWith}, {@code contains}: an error on anything but a string. */
  private static Node member(String fn, CelExpr target, List<CelExpr> args) {
    if (args.size() != 1 || !(fn.equals("startsWith") || fn.equals("endsWith") || fn.equals("contains"))) {
      return UNKNOWN;
    }
    String lit = stringLiteral(args.get(0));
    if (lit == null) {
      return UNKNOWN;
    }
    java.util.function.Predicate<String> test = switch (fn) {
      case "startsWith" -> s -> s.startsWith(lit);
      case "endsWith" -> s -> s.endsWith(lit);
      default -> s -> s.contains(lit);
    };
    StringVar var = stringVar(target);
    if (var != null) {
      return f -> of(test.test(var.get(f.request())));
    }
    String[] path = argsPath(target);
    if (path == null) {
      return UNKNOWN;
    }
    return f -> {
      JsonNode v = resolve(f, path);
      return v != null && v.isString() ? of(test.test(v.stringValue())) : Outcome.ERROR;
    };
  }

  /**
   * {@code x == "lit"}. CEL's equality is heterogeneous: a number, null, list or map equals no string (false, not an
   * error); only a missing key is an error.
   */
  private static Node equalsString(CelExpr other, String lit, boolean equal) {
    StringVar var = stringVar(other);
    if (var != null) {
      return f -> of(lit.equals(var.get(f.request())) == equal);
    }
    String[] path = argsPath(other);
    if (path == null) {
      return UNKNOWN;
    }
    return f -> {
      JsonNode v = resolve(f, path);
      if (v == null) {
        return Outcome.ERROR;
      }
      return of((v.isString() && v.stringValue().equals(lit)) == equal);
    };
  }

  private static Node and(Node a, Node b) {
    if (a == UNKNOWN && b == UNKNOWN) {
      return UNKNOWN;
    }
    return f -> {
      Outcome x = a.eval(f);
      if (x == Outcome.FALSE) {
        return Outcome.FALSE;
      }
      Outcome y = b.eval(f);
      if (y == Outcome.FALSE) {
        return Outcome.FALSE;
      }
      if (x == Outcome.UNKNOWN || y == Outcome.UNKNOWN) {
        return Outcome.UNKNOWN;
      }
      return x == Outcome.ERROR || y == Outcome.ERROR ? Outcome.ERROR : Outcome.TRUE;
    };
  }

  private static Node or(Node a, Node b) {
    if (a == UNKNOWN && b == UNKNOWN) {
      return UNKNOWN;
    }
    return f -> {
      Outcome x = a.eval(f);
      if (x == Outcome.TRUE) {
        return Outcome.TRUE;
      }
      Outcome y = b.eval(f);
      if (y == Outcome.TRUE) {
        return Outcome.TRUE;
      }
      if (x == Outcome.UNKNOWN || y == Outcome.UNKNOWN) {
        return Outcome.UNKNOWN;
      }
      return x == Outcome.ERROR || y == Outcome.ERROR ? Outcome.ERROR : Outcome.FALSE;
    };
  }

  private static Outcome not(Outcome o) {
    return switch (o) {
      case TRUE -> Outcome.FALSE;
      case FALSE -> Outcome.TRUE;
      default -> o;
    };
  }

  private static Outcome of(boolean b) {
    return BOOLEANS[b ? 1 : 0];
  }

  /** A string variable that is always present: {@code server}, {@code tool}, {@code method}, {@code principal.name}. */
  private interface StringVar {
    String get(PolicyRequest r);
  }

  private static StringVar stringVar(CelExpr e) {
    if (e.getKind() == CelExpr.ExprKind.Kind.IDENT) {
      return switch (e.ident().name()) {
        case "server" -> PolicyRequest::server;
        case "tool" -> PolicyRequest::tool;
        case "method" -> PolicyRequest::method;
        default -> null;
      };
    }
    return isSelect(e, "principal", "name") ? PolicyRequest::principal : null;
  }

  /** The keys of {@code args.a.b.c} ({@code [a, b, c]}), or {@code null} for any other expression. */
  private static String[] argsPath(CelExpr e) {
    List<String> keys = new ArrayList<>();
    CelExpr at = e;
    while (at.getKind() == CelExpr.ExprKind.Kind.SELECT && !at.select().testOnly()) {
      keys.add(0, at.select().field());
      at = at.select().operand();
    }
    return keys.isEmpty() || !isIdent(at, "args") ? null : keys.toArray(String[]::new);
  }

  /** The value at an {@code args} path, or {@link #NO_VALUE} where CEL fails: a missing key, or not a map. */
  private static JsonNode resolve(Facts f, String[] path) {
    JsonNode v = f.argsObject();
    for (String key : path) {
      if (!v.isObject()) {
        return NO_VALUE;
      }
      v = v.get(key);
      if (v == null) {
        return NO_VALUE;
      }
    }
    return v;
  }

  private static String stringLiteral(CelExpr e) {
    return e.getKind() == CelExpr.ExprKind.Kind.CONSTANT
        && e.constant().getKind() == CelConstant.Kind.STRING_VALUE ? e.constant().stringValue() : null;
  }

  private static boolean isBool(CelAbstractSyntaxTree ast, CelExpr e) {
    return ast.getType(e.id()).map(t -> t.kind() == CelKind.BOOL).orElse(false);
  }

  private static boolean isIdent(CelExpr e, String name) {
    return e.getKind() == CelExpr.ExprKind.Kind.IDENT && e.ident().name().equals(name);
  }

  private static boolean isSelect(CelExpr e, String variable, String field) {
    return e.getKind() == CelExpr.ExprKind.Kind.SELECT && !e.select().testOnly()
        && e.select().field().equals(field) && isIdent(e.select().operand(), variable);
  }

  /** Whether an identifier {@code name} appears anywhere in the expression, comprehensions included. */
  private static boolean names(CelExpr e, String name) {
    return switch (e.getKind()) {
      case IDENT -> e.ident().name().equals(name);
      case SELECT -> names(e.select().operand(), name);
      case CALL -> (e.call().target().isPresent() && names(e.call().target().get(), name))
          || e.call().args().stream().anyMatch(a -> names(a, name));
      case LIST -> e.list().elements().stream().anyMatch(a -> names(a, name));
      case MAP -> e.map().entries().stream().anyMatch(en -> names(en.key(), name) || names(en.value(), name));
      case STRUCT -> e.struct().entries().stream().anyMatch(en -> names(en.value(), name));
      case COMPREHENSION -> names(e.comprehension().iterRange(), name)
          || names(e.comprehension().accuInit(), name) || names(e.comprehension().loopCondition(), name)
          || names(e.comprehension().loopStep(), name) || names(e.comprehension().result(), name);
      default -> false;
    };
  }
}
