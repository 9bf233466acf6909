package dev.aegis.config;

import java.util.List;

/** A configuration that cannot be used; {@link #errors()} lists every problem as {@code file:line:col: message}. */
public final class ConfigException extends Exception {
  private final transient List<String> errors;

  public ConfigException(List<String> errors) {
    super(String.join(System.lineSeparator(), errors));
    this.errors = List.copyOf(errors);
  }

  public List<String> errors() {
    return errors;
  }
}
