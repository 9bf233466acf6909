package dev.aegis.policy;

import java.util.List;

/**
 * What a {@link Policy} decided for one call, and why: the audit log records it and a denial's error message quotes
 * {@link #reason()}.
 *
 * <pre>{@code
 * Verdict v = policy.decide(request);
 * if (v.effect() == Verdict.Effect.REDACT) {
 *   v.redact().forEach(pointer -> mask(arguments, pointer));   // e.g. "/token"
 * }
 * }</pre>
 *
 * @param effect what to do with the call
 * @param ruleId the id of the deciding rule, or {@code "default"} when no rule matched
 * @param reason the rule's {@code reason}, "rate limit" when its limit was exceeded, or why the default applied
 * @param redact JSON pointers into the arguments to mask; empty unless the effect is {@link Effect#REDACT}
 */
public record Verdict(Effect effect, String ruleId, String reason, List<String> redact) {
  /** The closed set of outcomes; a gateway must handle each. */
  public enum Effect {
    /** Forward the call. */
    ALLOW,
    /** Refuse the call with {@link Verdict#reason()}. */
    DENY,
    /** Hold the call until a person approves it. */
    ASK,
    /** Forward the call with the {@link Verdict#redact()} pointers masked in its arguments. */
    REDACT
  }

  public Verdict {
    if (effect == null || ruleId == null || reason == null) {
      throw new IllegalArgumentException("a verdict needs an effect, a rule id and a reason");
    }
    redact = redact == null ? List.of() : List.copyOf(redact);
  }

  public boolean allowed() {
    return effect == Effect.ALLOW || effect == Effect.REDACT;
  }
}
