package dev.aegis.policy;

import java.util.List;

/**
 * A policy file that cannot be used; {@link #errors()} lists every problem found, each as
 * {@code file:line:col: message}, so one edit-and-retry round fixes them all.
 *
 * <pre>{@code
 * try {
 *   Policy.parse("policy.yaml", text);
 * } catch (PolicyException e) {
 *   e.errors().forEach(System.err::println);   // policy.yaml:7:13: unknown effect 'alow' ...
 * }
 * }</pre>
 */
public final class PolicyException extends Exception {
  private final transient List<String> errors;

  public PolicyException(List<String> errors) {
    super(String.join(System.lineSeparator(), errors));
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("a PolicyException needs at least one error");
    }
    this.errors = List.copyOf(errors);
  }

  /** Every error, in file order as far as the parser could tell, each {@code file:line:col: message}. */
  public List<String> errors() {
    return errors;
  }
}
