package dev.aegis.memory;

/** An append whose {@link Draft#expectedVersion()} did not match the current version: nothing was written. */
public final class ConflictException extends StoreException {
  public ConflictException(String message) {
    super(message, null);
  }
}
