package dev.aegis.policy;

import java.util.List;

/**
 * One parsed rule: its globs compiled, its condition planned, its rate window ready. Immutable apart from the rate
 * counters, which belong to the {@link Policy} that holds it.
 *
 * @param names principal-name globs (from entries without {@code group:})
 * @param groups group-name globs (from {@code group:NAME} entries)
 * @param when the condition, or {@code null} for none
 * @param rate the limit, or {@code null} for none
 */
record Rule(String id, List<Glob> names, List<Glob> groups, List<Glob> servers, List<Glob> tools, Condition when,
    Verdict.Effect effect, List<String> redact, RateLimit rate, String reason) {

  boolean matchesPrincipal(String principal, List<String> memberOf) {
    for (Glob g : names) {
      if (g.matches(principal)) {
        return true;
      }
    }
    for (Glob g : groups) {
      for (String group : memberOf) {
        if (g.matches(group)) {
          return true;
        }
      }
    }
    return false;
  }

  boolean matchesTarget(String server, String tool) {
    return any(servers, server) && any(tools, tool);
  }

  private static boolean any(List<Glob> globs, String name) {
    for (Glob g : globs) {
      if (g.matches(name)) {
        return true;
      }
    }
    return false;
  }
}
