package dev.aegis.memory;

import dev.aegis.config.MemoryConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Who may do what in which scope. Each principal has all rights on its own {@code agent:NAME}; every other scope
 * grants only what {@code memory.scopes} lists (principal names, {@code group:NAME}, {@code *}). Admin implies read
 * and write; write does not imply read (a drop box).
 */
public final class Scopes {
  /** What a principal may do in a scope. */
  public enum Right { READ, WRITE, ADMIN }

  private final Map<String, MemoryConfig.Scope> scopes;
  private final String defaultScope;

  public Scopes(MemoryConfig config) {
    this.scopes = config.scopes();
    this.defaultScope = config.defaultScope();
  }

  /** The scope of a call that names none. */
  public String defaultScope(Actor a) {
    return defaultScope != null ? defaultScope : a.ownScope();
  }

  public boolean may(Actor a, Right right, String scope) {
    if (scope.equals(a.ownScope())) {
      return true;
    }
    MemoryConfig.Scope s = scopes.get(scope);
    if (s == null) {
      return false;
    }
    if (member(a, s.admin())) {
      return true;
    }
    return switch (right) {
      case READ -> member(a, s.read());
      case WRITE -> member(a, s.write());
      case ADMIN -> false;
    };
  }

  /** Every scope {@code a} may read: its own, then the configured ones in name order. */
  public List<String> readable(Actor a) {
    List<String> out = new ArrayList<>();
    out.add(a.ownScope());
    scopes.keySet().stream().sorted().filter(s -> may(a, Right.READ, s)).forEach(out::add);
    return out;
  }

  private static boolean member(Actor a, List<String> members) {
    for (String m : members) {
      if (m.equals("*") || m.equals(a.principal())
          || m.startsWith("group:") && a.groups().contains(m.substring("group:".length()))) {
        return true;
      }
    }
    return false;
  }
}
