package dev.aegis.memory;

/** The memory store could not do what was asked; nothing was written when an append throws. */
public class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
