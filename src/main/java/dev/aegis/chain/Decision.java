package dev.aegis.chain;

/**
 * A guard's note about an exchange, recorded for audit: who decided, what, and why.
 *
 * @param by the interceptor's name
 * @param effect e.g. "allow", "block", "rewrite"
 * @param reason one line a person can read
 */
public record Decision(String by, String effect, String reason) {
  public Decision {
    if (by == null || effect == null || reason == null) {
      throw new IllegalArgumentException("decision needs by, effect and reason");
    }
  }
}
