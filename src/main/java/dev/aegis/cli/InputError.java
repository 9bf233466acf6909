package dev.aegis.cli;

/** A usage or input problem: its message (naming the file and what is wrong) is shown as is; exit code 2. */
final class InputError extends Exception {
  InputError(String message) {
    super(message);
  }
}
